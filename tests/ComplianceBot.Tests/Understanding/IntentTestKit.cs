using ComplianceBot.Ask;
using ComplianceBot.Tests.Ask;
using ComplianceBot.Understanding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tests.Understanding;

/// <summary>The offline classifier over the repository's knowledge/ and knowledge/intents/, without a host.</summary>
public static class IntentTestKit
{
    /// <summary>The demo "today" of ../shared/eval/intents.md (a Friday).</summary>
    public static readonly DateOnly Today = new(2026, 11, 27);

    /// <summary>Who types in the dev set: a person named in none of its messages.</summary>
    public const string Sender = "arjun.mehta@acme.example";

    private static readonly Lazy<OfflineIntentClassifier> SharedLexical = new(() => Create());

    // MiniLM loads once for every test that needs it (a second or two, then ~5 ms per message).
    private static readonly Lazy<OfflineIntentClassifier> SharedHybrid = new(() =>
    {
        var classifier = Create();
        classifier.UpgradeToHybrid(CancellationToken.None, new MiniLmEmbedder());
        return classifier;
    });

    public static OfflineIntentClassifier Lexical => SharedLexical.Value;

    /// <summary>Words + MiniLM: the classifier production runs once the model has loaded.</summary>
    public static OfflineIntentClassifier Hybrid => SharedHybrid.Value;

    public static OfflineIntentClassifier Create(string? contentRoot = null)
    {
        var (_, index) = AskTestKit.Create(contentRoot ?? BotApplication.RepoRoot);
        return new OfflineIntentClassifier(index, Options.Create(new UnderstandingOptions()), NullLogger<OfflineIntentClassifier>.Instance);
    }

    public static IntentResult Classify(this OfflineIntentClassifier classifier, string text) => classifier.Classify(text, Sender, Today);
}
