using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ComplianceBot.Tests.Fakes;

/// <summary>
/// Azurite (Microsoft's Azure Storage emulator, npm package <c>azurite</c>) on a free loopback port, in memory, for the
/// whole test run: the real Blob SDK against the real wire protocol. Found at $AZURITE_BLOB, under .tools/ (where
/// .ci/run installs it) or on PATH. Tests that need it exist where it is installed, and always in CI (CI=true), where a
/// missing Azurite fails them instead of leaving them out. Test classes that use it join the <see cref="Collection"/>,
/// whose end stops it.
/// </summary>
public sealed partial class Azurite
{
    public const string Collection = "Azurite";

    /// <summary>The emulator's documented development account (public, the same in every Azurite).</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<Azurite>> Shared = new(StartAsync);

    private readonly Process _process;

    private Azurite(Process process, int port)
    {
        _process = process;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    /// <summary>The evidence stores a store test runs on here: the file store always, Azurite where it can run (or must: CI).</summary>
    public static TheoryData<string> EvidenceStores { get; } = Available ? new TheoryData<string> { "File", "Azurite" } : new TheoryData<string> { "File" };

    /// <summary>Whether tests that need Azurite run here: where it is installed, and always in CI.</summary>
    public static bool Available => Executable() is not null || IsCi;

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The one emulator of this test run, started on first use.</summary>
    public static Task<Azurite> GetAsync() => Shared.Value;

    /// <summary>Stops the emulator if it was started (end of the collection; process exit as a backstop).</summary>
    public static async Task StopAsync()
    {
        if (!Shared.IsValueCreated || !Shared.Value.IsCompletedSuccessfully)
        {
            return;
        }

        var process = Shared.Value.Result._process;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<Azurite> StartAsync()
    {
        var executable = Executable() ?? throw new InvalidOperationException(
            "Azurite is not installed: run `npm install --prefix .tools azurite` in the repo root (as .ci/run does) or set AZURITE_BLOB to azurite-blob.");
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("Azurite exited: " + string.Join(" | ", output)));
                return;
            }

            output.Enqueue(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        };

        // Node starts slowly on a busy machine; bounded all the same.
        var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
        return new Azurite(process, port);
    }

    private static string? Executable()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_BLOB") is { Length: > 0 } configured && File.Exists(configured))
        {
            return configured;
        }

        var local = Path.Combine(BotApplication.RepoRoot, ".tools", "node_modules", ".bin", "azurite-blob");
        if (File.Exists(local))
        {
            return local;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "azurite-blob")).FirstOrDefault(File.Exists);
    }

    [GeneratedRegex(@"listens on https?://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();
}
