using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ComplianceBot.LoadTesting;

/// <summary>The host could not be started (not built, exited, never Healthy); the message says which.</summary>
internal sealed class ReleaseHostException(string message) : Exception(message);

/// <summary>
/// The ComplianceBot host under load: normally the Release build started as its own process like production (real
/// Kestrel on a free 127.0.0.1 port, Development environment, a throw-away data folder, extra settings as environment
/// variables), ready once GET /healthz answers exactly "Healthy"; disposing kills it and deletes the folder.
/// <see cref="Attach"/> instead measures a host someone else started and leaves it alone.
/// </summary>
internal sealed class ReleaseHost : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromMinutes(10);

    private readonly Process? _process;
    private readonly string? _dataDirectory;
    private int _stopped;

    private ReleaseHost(Uri baseAddress, Process? process, string? dataDirectory)
    {
        BaseAddress = baseAddress;
        _process = process;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The repository root (the folder holding ComplianceBot.sln), found from the generator's own bin folder.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public Uri BaseAddress { get; }

    public int? ProcessId => _process?.Id;

    /// <summary>From launching `dotnet ComplianceBot.dll` until /healthz answered "Healthy" (the cold start).</summary>
    public TimeSpan HealthyAfter { get; private set; }

    /// <summary>
    /// Starts bin/Release of src/ComplianceBot and waits until it is Healthy: on a fresh data folder MiniLM first embeds
    /// every knowledge passage, one-off work on the same cores that must not be measured.
    /// </summary>
    /// <param name="name">Names the temp folder: /tmp/compliancebot-&lt;name&gt;/&lt;guid&gt;.</param>
    /// <param name="settings">Configuration for the host as environment variables (Section__Key), on top of the defaults here.</param>
    /// <param name="http">Polls /healthz.</param>
    /// <param name="verbose">Echo the host's standard output (its standard error is always echoed).</param>
    /// <param name="hostDll">Another build of the host (a published folder's ComplianceBot.dll, e.g. ReadyToRun); default bin/Release.</param>
    public static async Task<ReleaseHost> StartAsync(string name, IReadOnlyDictionary<string, string> settings, HttpMessageInvoker http, bool verbose, string? hostDll = null)
    {
        hostDll ??= Path.Combine(RepoRoot, "src", "ComplianceBot", "bin", "Release", "net10.0", "ComplianceBot.dll");
        if (!File.Exists(hostDll))
        {
            throw new ReleaseHostException($"Build the host first: dotnet build -c Release src/ComplianceBot ({hostDll} not found)");
        }

        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "compliancebot-" + name, Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", $"\"{hostDll}\" --contentRoot \"{RepoRoot}\"")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["DataDirectory"] = data,
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            },
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var launched = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new ReleaseHostException("dotnet did not start");
        var host = new ReleaseHost(new Uri($"http://127.0.0.1:{port}"), process, data);
        // Ctrl+C would otherwise leave the host running and its folder behind.
        ConsoleCancelEventHandler onCancel = (_, _) => host.StopNow();
        Console.CancelKeyPress += onCancel;
        try
        {
            await host.WaitUntilHealthyAsync(http, verbose, launched);
            return host;
        }
        catch
        {
            Console.CancelKeyPress -= onCancel;
            host.Dispose();
            throw;
        }
    }

    /// <summary>A host started by hand: only measured (CPU from <paramref name="pid"/> when given), never stopped or cleaned up.</summary>
    public static ReleaseHost Attach(Uri baseAddress, int? pid) =>
        new(baseAddress, pid is { } id ? Process.GetProcessById(id) : null, dataDirectory: null);

    /// <summary>User + kernel CPU the host process has used so far; null when attached without a pid.</summary>
    public TimeSpan? CpuTime()
    {
        if (_process is null)
        {
            return null;
        }

        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Stops the host if we started it (idempotent: callers stop it before printing and again on the way out).</summary>
    public void Dispose()
    {
        StopNow();
        _process?.Dispose();
    }

    private async Task WaitUntilHealthyAsync(HttpMessageInvoker http, bool verbose, Stopwatch launched)
    {
        var process = _process!;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Application started", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
            else if (verbose && e.Data is not null)
            {
                Console.WriteLine("host: " + e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Console.Error.WriteLine("host: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(started.Task, exited, Task.Delay(StartTimeout));
        if (first == exited)
        {
            throw new ReleaseHostException($"The host exited with code {process.ExitCode} before it started (its errors are above).");
        }

        if (first != started.Task)
        {
            throw new ReleaseHostException($"The host did not start within {StartTimeout.TotalSeconds:F0} s.");
        }

        var clock = Stopwatch.StartNew();
        var healthz = new Uri(BaseAddress, "/healthz");
        while (true)
        {
            // Degraded (still 200) while MiniLM loads and embeds; Unhealthy is 503. Only the exact body counts.
            if (await HealthAsync(http, healthz) == "Healthy")
            {
                break;
            }

            if (process.HasExited)
            {
                throw new ReleaseHostException($"The host exited with code {process.ExitCode} before it was Healthy.");
            }

            if (clock.Elapsed > HealthyTimeout)
            {
                throw new ReleaseHostException($"The host did not become Healthy within {HealthyTimeout.TotalMinutes:F0} minutes.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        HealthyAfter = launched.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"host healthy (MiniLM loaded, passages embedded) {HealthyAfter.TotalSeconds:F1} s after launch ({clock.Elapsed.TotalSeconds:F1} s after Kestrel started)"));
    }

    private static async Task<string?> HealthAsync(HttpMessageInvoker http, Uri healthz)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, healthz);
            using var response = await http.SendAsync(request, CancellationToken.None);
            return await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    /// <summary>Kills the host we started and deletes its data folder; safe to call twice and from the Ctrl+C handler.</summary>
    private void StopNow()
    {
        if (_dataDirectory is null || _process is null || Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The OS cleans the temp folder eventually.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ComplianceBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ComplianceBot.sln not found above " + AppContext.BaseDirectory);
    }
}
