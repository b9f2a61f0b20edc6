using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ComplianceBot.Tests.Soak;

/// <summary>
/// One host as its own process (Development, real Kestrel on a fresh 127.0.0.1 port per start): started, ready once
/// GET /healthz/ready answers 200, SIGKILLed (Process.Kill on Linux) and started again on the same settings.
/// </summary>
public sealed class SoakHost(string name, string hostDll, IReadOnlyDictionary<string, string> settings) : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(4);
    private Process? _process;
    private volatile bool _ready;
    private List<string>? _failing;

    public string Name => name;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1:9");

    public bool IsUp => _ready;

    public int Starts { get; private set; }

    /// <summary>Errors the host logged ("fail:"/"crit:" with their message line) and its standard error.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public async Task StartAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", $"\"{hostDll}\" --contentRoot \"{BotApplication.RepoRoot}\"")
        {
            WorkingDirectory = BotApplication.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Errors.Enqueue($"{name} stderr: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Starts++;

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready: {string.Join(" | ", Errors.Where(e => e.Contains("Exception", StringComparison.Ordinal)).Take(3).Concat(Errors.TakeLast(5)))}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri(BaseAddress, "/healthz/ready"), cancellationToken);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    _ready = true;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        throw new TimeoutException($"{name} was not ready within {ReadyTimeout.TotalMinutes} minutes.");
    }

    /// <summary>Whether this host's process holds the socket (see <see cref="LoopbackSockets"/>).</summary>
    public bool HoldsSocket(long inode) => _process is { HasExited: false } process && LoopbackSockets.Holds(process.Id, inode);

    /// <summary>SIGKILL: no shutdown hooks, no flushing, whatever was in flight stays in flight.</summary>
    public void Kill()
    {
        _ready = false;
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
            _process = null;
        }
    }

    public void Dispose() => Kill();

    private void Collect(string? line)
    {
        // The console logger writes "fail: Category[id]", then the message and any exception on indented lines.
        if (line is not null && _failing is not null && line.StartsWith(' '))
        {
            _failing.Add(line.Trim());
            return;
        }

        Flush();
        if (line is not null && (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)))
        {
            _failing = [line];
        }
    }

    /// <summary>One entry per error: its header, first message line and the innermost exception line (the part worth reading).</summary>
    private void Flush()
    {
        if (_failing is { } lines)
        {
            // The innermost exception ("---> Npgsql.PostgresException: 23505 …") says why; the outer ones only wrap it.
            var exception = lines.Skip(2).LastOrDefault(l => l.Contains("Exception", StringComparison.Ordinal) && !l.StartsWith("at ", StringComparison.Ordinal));
            Errors.Enqueue($"{name} {string.Join(" ", lines.Take(2))}{(exception is null ? "" : " → " + exception)}");
            _failing = null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
