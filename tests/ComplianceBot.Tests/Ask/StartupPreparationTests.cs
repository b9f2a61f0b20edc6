using Microsoft.Extensions.DependencyInjection;
using ComplianceBot.Ask;
using ComplianceBot.Understanding;

namespace ComplianceBot.Tests.Ask;

/// <summary>
/// Program starts Ask's hybrid index and the hybrid intent head before it migrates and imports, and the background
/// services share that work: a host is ready for free text without a request having paid for training.
/// </summary>
public sealed class StartupPreparationTests
{
    [Fact]
    public async Task AStartedHostHasHybridRetrievalAndAHybridIntentHeadWithoutAnyMessage()
    {
        using var app = new BotApplication();
        app.Settings["Ask:DenseRetrieval"] = "true";
        using var client = app.CreateClient();
        var index = app.Services.GetRequiredService<KnowledgeIndex>();
        var classifier = app.Services.GetRequiredService<OfflineIntentClassifier>();

        await index.DenseReady.WaitAsync(TimeSpan.FromSeconds(60));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!classifier.Model.IsHybrid && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(index.Current.HasVectors);
        // The lexical index and then the hybrid one (or only the hybrid one when MiniLM was first): never a third build.
        Assert.InRange(index.Version, 1, 2);
        Assert.True(classifier.Model.IsHybrid);
        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
    }

    [Fact]
    public void EveryCallerSharesOnePreparationAndOneTraining()
    {
        using var app = new BotApplication();
        app.Settings["Ask:DenseRetrieval"] = "true";
        _ = app.CreateClient();
        var index = app.Services.GetRequiredService<KnowledgeIndex>();
        var model = app.Services.GetRequiredService<MiniLmLoader>();
        var classifier = app.Services.GetRequiredService<OfflineIntentClassifier>();
        using var other = new CancellationTokenSource();

        Assert.Same(index.PrepareInBackground(model, CancellationToken.None), index.PrepareInBackground(model, other.Token));
        Assert.Same(classifier.UpgradeToHybridWhenReady(CancellationToken.None), classifier.UpgradeToHybridWhenReady(other.Token));
    }
}
