using ComplianceBot.Knowledge;
using ComplianceBot.Understanding;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Ask;

/// <summary>
/// `embed-knowledge`: embeds every knowledge passage and intent exemplar once and writes the vectors beside the
/// knowledge files (knowledge/vectors/), where every host of the organisation finds them. Run it at build time (the
/// repository ships the result for its own knowledge); hosts then embed only texts edited since.
/// </summary>
public static class EmbedKnowledgeCommand
{
    public static int RunEmbedKnowledgeCommand(this WebApplication app)
    {
        var services = app.Services;
        var ask = services.GetRequiredService<IOptions<AskOptions>>();
        var cache = services.GetRequiredService<EmbeddingCache>().Sharing();
        var index = new KnowledgeIndex(ask, services.GetRequiredService<IOptions<KnowledgeOptions>>(), services.GetRequiredService<IHostEnvironment>(),
            services.GetRequiredService<ILogger<KnowledgeIndex>>(), cache);
        // Every core for one run: nothing else runs beside this build step.
        using var embedder = new MiniLmEmbedder(threads: 0, weights: ask.Value.EncoderWeights);
        index.LoadEmbedder(() => embedder, CancellationToken.None);
        if (!index.Current.HasVectors)
        {
            Console.Error.WriteLine("The passages could not be embedded (see the log above); nothing was written.");
            return 1;
        }

        var intents = new OfflineIntentClassifier(index, services.GetRequiredService<IOptions<UnderstandingOptions>>(), services.GetRequiredService<ILogger<OfflineIntentClassifier>>(), cache);
        intents.UpgradeToHybrid(CancellationToken.None);
        Console.WriteLine($"Vectors for {index.Current.Corpus.Passages.Count} passages and the intent exemplars ({embedder.ModelId}) are in {cache.SharedDirectory}.");
        return 0;
    }
}
