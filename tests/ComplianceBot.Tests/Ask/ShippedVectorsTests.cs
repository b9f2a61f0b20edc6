using ComplianceBot.Ask;
using ComplianceBot.Understanding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tests.Ask;

/// <summary>
/// knowledge/vectors/ ships MiniLM's vectors for the repository's own knowledge, so a fresh host (or a second host) is
/// Healthy without embedding anything. When these fail, knowledge changed: run
/// `dotnet run --project src/ComplianceBot -- embed-knowledge` and commit knowledge/vectors/.
/// </summary>
public sealed class ShippedVectorsTests : IDisposable
{
    private const string Regenerate = "knowledge changed since knowledge/vectors/ was written: run `dotnet run --project src/ComplianceBot -- embed-knowledge`";

    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "compliancebot-tests", "shipped-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }

    [Fact]
    public void AFreshHostFindsAVectorForEveryPassageAndExemplarBesideTheKnowledge()
    {
        var cache = SharedCache();
        var index = Index(cache);
        var embedder = new RecordingEmbedder(MiniLmEmbedder.Id);

        index.LoadEmbedder(() => embedder, CancellationToken.None);
        Assert.True(index.Current.HasVectors);
        Assert.True(embedder.Texts.Count == 0, $"{embedder.Texts.Count} passages had to be embedded ({Regenerate}), e.g. '{embedder.Texts.FirstOrDefault()}'");

        var intents = new OfflineIntentClassifier(index, Options.Create(new UnderstandingOptions()), NullLogger<OfflineIntentClassifier>.Instance, cache);
        intents.UpgradeToHybrid(CancellationToken.None);
        Assert.True(intents.Model.IsHybrid);
        Assert.True(embedder.Texts.Count == 0, $"{embedder.Texts.Count} intent exemplars had to be embedded ({Regenerate}), e.g. '{embedder.Texts.FirstOrDefault()}'");
        Assert.False(Directory.Exists(_dataFolder) && Directory.EnumerateFiles(_dataFolder, "*.vectors", SearchOption.AllDirectories).Any(),
            "the host keeps no copy of vectors it found beside the knowledge");
    }

    [Fact]
    public void TheShippedVectorsAreWhatTheModelComputes()
    {
        var index = Index(SharedCache());
        var placeholder = new RecordingEmbedder(MiniLmEmbedder.Id);
        index.LoadEmbedder(() => placeholder, CancellationToken.None);
        var passages = index.Current.Corpus.Passages;
        var sample = Enumerable.Range(0, 6).Select(i => i * (passages.Count - 1) / 5).ToArray();
        var texts = sample.Select(i => KnowledgeIndex.EmbeddingText(passages[i])).ToList();

        using var model = new MiniLmEmbedder(threads: 1);
        var computed = model.Embed(texts);
        var shipped = SharedCache().GetOrEmbed(placeholder, texts).Vectors;

        for (var i = 0; i < texts.Count; i++)
        {
            var worst = computed[i].Zip(shipped[i], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst < 1e-5, $"passage {sample[i]}: largest difference {worst:E2}");
        }
    }

    private EmbeddingCache SharedCache() =>
        new(_dataFolder, sharedDirectory: Path.Combine(BotApplication.RepoRoot, "knowledge", EmbeddingCache.SharedFolder));

    private static KnowledgeIndex Index(EmbeddingCache cache) =>
        AskTestKit.Create(BotApplication.RepoRoot, new AskOptions { DenseRetrieval = true, WatchKnowledge = false }, cache).Index;

    /// <summary>Stands in for MiniLM under its id: whatever it is asked to embed was missing from the shipped vectors.</summary>
    private sealed class RecordingEmbedder(string modelId) : IEmbedder
    {
        public List<string> Texts { get; } = [];

        public string ModelId => modelId;

        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
        {
            Texts.AddRange(texts);
            return [.. texts.Select(_ => new float[384])];
        }
    }
}
