namespace ComplianceBot.Ask;

public sealed class AskOptions
{
    /// <summary>Load MiniLM in the background and fuse dense retrieval with BM25. Off: lexical retrieval only.</summary>
    public bool DenseRetrieval { get; set; } = true;

    /// <summary>
    /// ONNX intra-op threads per MiniLM run (0: one per core; threads never spin-wait). One by default: a question is
    /// ~20 word pieces, and under load runs for different requests use the cores better than one run split across them
    /// (int8: 5.2 against 6.9 ms of CPU per question with two threads, `bench/ComplianceBot.Benchmarks -- embedder 400 1|2`).
    /// </summary>
    public int EncoderThreads { get; set; } = 1;

    /// <summary>
    /// MiniLM's weights: Quantized (int8 at load; less than half the CPU per question, a quarter of the weight memory)
    /// or Original (fp32). Shipped vectors are for Quantized; Original embeds every passage into the data folder once.
    /// </summary>
    public MiniLmWeights EncoderWeights { get; set; } = MiniLmWeights.Quantized;

    /// <summary>How many recent question vectors are kept in memory (0: none).</summary>
    public int QueryVectorCacheSize { get; set; } = 256;

    /// <summary>Folder for cached passage vectors; relative paths are under the data directory.</summary>
    public string EmbeddingCache { get; set; } = "ask-embeddings";

    /// <summary>Rebuild the index when files under knowledge/ change.</summary>
    public bool WatchKnowledge { get; set; } = true;

    /// <summary>Quiet time after the last file change before rebuilding (editors write several times per save).</summary>
    public TimeSpan RebuildDebounce { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Below this retrieval confidence (the share of the question's distinctive words found in the best documents)
    /// the bot says it does not know. Calibrated on the development set with `eval`.
    /// </summary>
    public double RefusalThreshold { get; set; } = 0.2;

    /// <summary>At most this many sources are cited.</summary>
    public int MaxCitations { get; set; } = 3;

    /// <summary>
    /// Who may call POST /api/ask: open when the web chat is enabled (it is the same anonymous surface), otherwise only
    /// with the admin key or Ask:ApiKey as a bearer token.
    /// </summary>
    public string? ApiKey { get; set; }
}

public enum MiniLmWeights
{
    /// <summary>int8, quantised at load.</summary>
    Quantized,

    /// <summary>The model's own fp32 weights.</summary>
    Original,
}

/// <summary>Azure OpenAI generation; used only when Endpoint and Deployment are both set.</summary>
public sealed class AzureOpenAIOptions
{
    public string? Endpoint { get; set; }
    public string? Deployment { get; set; }

    /// <summary>API key; when empty, DefaultAzureCredential (managed identity, az login, environment) is used.</summary>
    public string? ApiKey { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Deployment);
}
