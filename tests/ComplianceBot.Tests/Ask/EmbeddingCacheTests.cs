using ComplianceBot.Ask;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tests.Ask;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "compliancebot-tests", "embeddings-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void ARestartReusesEveryVectorAndAnEditEmbedsOnlyTheChangedText()
    {
        var embedder = new CountingEmbedder("model-a");
        var first = new EmbeddingCache(_directory).GetOrEmbed(embedder, ["access reviews", "encryption at rest", "vendor risk"]);
        Assert.Equal(3, first.Embedded);

        var restarted = new EmbeddingCache(_directory).GetOrEmbed(embedder, ["access reviews", "encryption at rest", "vendor risk"]);
        Assert.Equal(0, restarted.Embedded);
        Assert.Equal(first.Vectors, restarted.Vectors);
        Assert.Equal(3, embedder.Calls);

        var edited = new EmbeddingCache(_directory).GetOrEmbed(embedder, ["access reviews", "encryption in transit", "vendor risk"]);
        Assert.Equal(1, edited.Embedded);
        Assert.Equal(CountingEmbedder.VectorFor("encryption in transit"), edited.Vectors[1]);
    }

    [Fact]
    public void ASecondHostWithAFreshDataFolderEmbedsNothingTheSharedVectorsHold()
    {
        var shared = Path.Combine(_directory, "knowledge-vectors");
        var embedder = new CountingEmbedder("model-a");
        new EmbeddingCache(Path.Combine(_directory, "build"), sharedDirectory: shared, writeShared: true)
            .GetOrEmbed(embedder, ["access reviews", "encryption at rest", "vendor risk"]);
        var sharedFile = new EmbeddingCache(shared).PathFor(embedder.ModelId);
        var shipped = File.ReadAllBytes(sharedFile);

        var second = new EmbeddingCache(Path.Combine(_directory, "host-2"), sharedDirectory: shared);
        var result = second.GetOrEmbed(embedder, ["access reviews", "encryption at rest", "vendor risk"]);

        Assert.Equal(0, result.Embedded);
        Assert.Equal(CountingEmbedder.VectorFor("vendor risk"), result.Vectors[2]);
        Assert.False(File.Exists(second.PathFor(embedder.ModelId)), "nothing to keep locally when the shared file has it all");

        // An edit made after the build: only the new text is embedded, kept in the host's own file; the shipped file is untouched.
        var edited = second.GetOrEmbed(embedder, ["access reviews", "encryption in transit", "vendor risk"]);
        Assert.Equal(1, edited.Embedded);
        Assert.True(File.Exists(second.PathFor(embedder.ModelId)));
        Assert.Equal(0, new EmbeddingCache(Path.Combine(_directory, "host-2"), sharedDirectory: shared)
            .GetOrEmbed(embedder, ["access reviews", "encryption in transit", "vendor risk"]).Embedded);
        Assert.Equal(shipped, File.ReadAllBytes(sharedFile));
    }

    [Fact]
    public void StoppingTheHostWhileEmbeddingStopsTheWorkAndCachesNothing()
    {
        var (_, index) = Create(new AskOptions { DenseRetrieval = true, WatchKnowledge = false });
        var embedder = new CountingEmbedder("model-a");
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => index.LoadEmbedder(() => embedder, stopping.Token));

        Assert.Equal(0, embedder.Calls);
        Assert.True(index.DenseReady.IsCompleted);
        Assert.False(File.Exists(new EmbeddingCache(_directory).PathFor(embedder.ModelId)));
    }

    [Fact]
    public void AnEmbedderFailingBecauseTheHostIsStoppingIsACancellationNotAnError()
    {
        var (_, index) = Create(new AskOptions { DenseRetrieval = true, WatchKnowledge = false });
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();

        // What ONNX Runtime throws when a run is cancelled: its own exception, not an OperationCanceledException.
        var thrown = Assert.ThrowsAny<OperationCanceledException>(() => index.LoadEmbedder(() => new FailingEmbedder(), stopping.Token));

        Assert.IsType<InvalidOperationException>(thrown.InnerException);
        Assert.True(index.DenseReady.IsCompleted);
    }

    [Fact]
    public void VectorsOfAnotherModelAreNeverReused()
    {
        new EmbeddingCache(_directory).GetOrEmbed(new CountingEmbedder("model-a"), ["access reviews"]);
        var other = new CountingEmbedder("model-b");

        var result = new EmbeddingCache(_directory).GetOrEmbed(other, ["access reviews"]);

        Assert.Equal(1, result.Embedded);
        Assert.Equal(1, other.Calls);
    }

    [Fact]
    public void ADamagedCacheFileIsIgnoredAndReplaced()
    {
        var cache = new EmbeddingCache(_directory);
        var embedder = new CountingEmbedder("model-a");
        cache.GetOrEmbed(embedder, ["access reviews", "vendor risk"]);
        var path = cache.PathFor(embedder.ModelId);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);

        var result = new EmbeddingCache(_directory).GetOrEmbed(embedder, ["access reviews", "vendor risk"]);

        Assert.Equal(2, result.Embedded);
        Assert.Equal(0, new EmbeddingCache(_directory).GetOrEmbed(embedder, ["access reviews", "vendor risk"]).Embedded);
    }

    [Fact]
    public void TheIndexEmbedsPassagesOnceAcrossRestartsAndRepeatedQuestionsOnce()
    {
        var options = new AskOptions { DenseRetrieval = true, WatchKnowledge = false };
        var embedder = new CountingEmbedder("model-a");
        var (_, first) = Create(options);
        first.LoadEmbedder(() => embedder, CancellationToken.None);
        var passages = first.Current.Corpus.Passages.Count;
        Assert.True(first.Current.HasVectors);
        Assert.Equal(passages, embedder.Calls);

        var (service, restarted) = Create(options);
        restarted.LoadEmbedder(() => embedder, CancellationToken.None);
        Assert.True(restarted.Current.HasVectors);
        Assert.Equal(passages, embedder.Calls);

        service.Retrieve(restarted.Current, "who reviews access to production?");
        service.Retrieve(restarted.Current, "who reviews access to production?");
        Assert.Equal(passages + 1, embedder.Calls);

        // A question naming its criterion is answered from that id: nothing to encode.
        var named = service.Retrieve(restarted.Current, "what does CC6.1 require?");
        Assert.Equal(passages + 1, embedder.Calls);
        Assert.Equal("CC6.1", named.Documents[0].Document.Id);
    }

    [Fact]
    public void TheLeastRecentlyUsedEntryIsEvictedFirst()
    {
        var cache = new LruCache<string, int>(2);
        var computed = 0;
        int Compute(string key) => ++computed;
        cache.GetOrAdd("a", Compute);
        cache.GetOrAdd("b", Compute);
        cache.GetOrAdd("a", Compute);
        cache.GetOrAdd("c", Compute);

        Assert.Equal(2, cache.Count);
        Assert.Equal(1, cache.GetOrAdd("a", Compute));
        Assert.Equal(4, cache.GetOrAdd("b", Compute));
    }

    private (AskService Service, KnowledgeIndex Index) Create(AskOptions options)
    {
        var wrapped = Options.Create(options);
        var index = new KnowledgeIndex(wrapped, Options.Create(new ComplianceBot.Knowledge.KnowledgeOptions()), new TestEnvironment(BotApplication.RepoRoot),
            NullLogger<KnowledgeIndex>.Instance, new EmbeddingCache(_directory));
        return (new AskService(index, new OfflineComposer(), wrapped, NullLogger<AskService>.Instance), index);
    }

    private sealed class FailingEmbedder : IEmbedder
    {
        public string ModelId => "failing";

        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Exiting due to terminate flag being set to true.");
    }

    /// <summary>Deterministic vectors from the text; counts how many texts it was asked to embed.</summary>
    private sealed class CountingEmbedder(string modelId) : IEmbedder
    {
        public int Calls { get; private set; }

        public string ModelId => modelId;

        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Calls += texts.Count;
            return [.. texts.Select(VectorFor)];
        }

        public static float[] VectorFor(string text)
        {
            var vector = new float[8];
            foreach (var c in text)
            {
                vector[c % 8] += 1;
            }

            MiniLmEmbedder.Normalize(vector);
            return vector;
        }
    }

    private sealed class TestEnvironment(string root) : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "ComplianceBot";
        public string ContentRootPath { get; set; } = root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
