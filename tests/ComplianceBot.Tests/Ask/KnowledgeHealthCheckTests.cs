using ComplianceBot.Ask;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComplianceBot.Tests.Ask;

public sealed class KnowledgeHealthCheckTests
{
    [Fact]
    public async Task HealthIsDegradedUntilTheEmbedderHasLoaded()
    {
        var (_, index) = AskTestKit.Create(BotApplication.RepoRoot, new AskOptions { DenseRetrieval = true, WatchKnowledge = false });
        var check = new KnowledgeHealthCheck(index);

        var loading = await check.CheckHealthAsync(new HealthCheckContext());
        index.LoadEmbedder(() => new FixedEmbedder(), CancellationToken.None);
        var loaded = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, loading.Status);
        Assert.Contains("MiniLM is loading", loading.Description);
        Assert.Equal(HealthStatus.Healthy, loaded.Status);
    }

    [Fact]
    public async Task HealthIsHealthyFromTheStartWhenDenseRetrievalIsOff()
    {
        // Before the background service has run at all: /healthz right after startup must not say Degraded.
        var (_, index) = AskTestKit.Create(BotApplication.RepoRoot);

        var result = await new KnowledgeHealthCheck(index).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public void LoadingTheEmbedderAddsVectorsToTheLexicalIndexWithoutReadingTheKnowledgeAgain()
    {
        // A new corpus object would cost a cold start a second read of knowledge/ and retrain the intent head.
        var (_, index) = AskTestKit.Create(BotApplication.RepoRoot, new AskOptions { DenseRetrieval = true, WatchKnowledge = false });
        var lexical = index.Current;

        index.LoadEmbedder(() => new FixedEmbedder(), CancellationToken.None);

        Assert.False(lexical.HasVectors);
        Assert.True(index.Current.HasVectors);
        Assert.Same(lexical.Corpus, index.Current.Corpus);
        Assert.Equal(2, index.Version);
    }

    [Fact]
    public void LoadingTheEmbedderBeforeAnyLexicalBuildBuildsOnceWithVectors()
    {
        // The host starts both at once; whichever runs first, the passages are read and embedded once.
        var (_, index) = AskTestKit.Create(BotApplication.RepoRoot, new AskOptions { DenseRetrieval = true, WatchKnowledge = false });

        index.LoadEmbedder(() => new FixedEmbedder(), CancellationToken.None);

        Assert.True(index.Current.HasVectors);
        Assert.Equal(1, index.Version);
    }

    /// <summary>Same small vector for every text: enough to make the index hybrid without the real model.</summary>
    private sealed class FixedEmbedder : IEmbedder
    {
        public string ModelId => "fixed";

        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
            [.. texts.Select(_ => new float[] { 1, 0, 0, 0 })];
    }
}
