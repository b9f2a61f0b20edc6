using ComplianceBot.Understanding;

namespace ComplianceBot.Tests.Understanding;

/// <summary>
/// Fresh messages written for robustness, in none of the exemplar files or eval sets: terse, misspelt, polite and
/// Slack-style wordings across every label (Data/intents-paraphrases.jsonl). Each must reach its label with its slots.
/// </summary>
public sealed class IntentParaphraseTests
{
    public static string SetPath { get; } = Path.Combine(BotApplication.RepoRoot, "tests", "ComplianceBot.Tests", "Understanding", "Data", "intents-paraphrases.jsonl");

    public static TheoryData<string> Ids => [.. IntentEvaluation.Load(SetPath).Select(i => i.Id)];

    private static readonly Lazy<Dictionary<string, IntentEvalItem>> Items = new(() => IntentEvaluation.Load(SetPath).ToDictionary(i => i.Id, StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Ids))]
    public void TheMessageReachesItsIntentWithItsSlots(string id)
    {
        var item = Items.Value[id];

        var result = IntentTestKit.Hybrid.Classify(item.Text);

        var acceptable = (item.Also ?? []).Append(item.Intent).ToList();
        Assert.True(acceptable.Contains(result.Label), $"\"{item.Text}\": {result.Label} ({result.Confidence:F2}), expected {string.Join(" or ", acceptable)}");
        Assert.Empty(IntentEvaluation.SlotMisses(item, result.Slots));
    }

    [Fact]
    public void TheSetCoversEveryLabelTheDevSetUses()
    {
        var labels = Items.Value.Values.Select(i => i.Intent).ToHashSet(StringComparer.Ordinal);

        Assert.All(IntentEvaluation.Load(IntentDevSetTests.DevSet).Select(i => i.Intent).Distinct(), label => Assert.Contains(label, labels));
    }
}
