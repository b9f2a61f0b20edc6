using Microsoft.Extensions.Options;

namespace ComplianceBot.Ask;

/// <summary>
/// Builds MiniLM's session once per host (reading, quantising, ONNX Runtime's graph work: a second or two of one core).
/// Program starts it before migrating the database and importing the knowledge, which leave the other core idle, so a
/// cold start pays for the longer of the two rather than both.
/// </summary>
public sealed class MiniLmLoader(IOptions<AskOptions> options)
{
    private readonly Lazy<Task<MiniLmEmbedder>> _model = new(() => Task.Run(() => MiniLmEmbedder.Create(options.Value)));

    public void Start()
    {
        if (options.Value.DenseRetrieval)
        {
            _ = _model.Value;
        }
    }

    /// <summary>The embedder, waiting for the load if it is still running (and rethrowing its failure).</summary>
    public MiniLmEmbedder Get() => _model.Value.GetAwaiter().GetResult();
}
