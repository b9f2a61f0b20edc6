using ComplianceBot.Understanding;

namespace ComplianceBot.Tests.Understanding;

/// <summary>What the bot acts on, given the classifier's verdict (shared by chat and POST /api/ask).</summary>
public sealed class IntentRoutingTests
{
    private static readonly UnderstandingOptions Options = new();

    private static IntentResult Verdict(string source, params (string Label, double Probability)[] ranked) =>
        new(ranked[0].Label, ranked[0].Probability, [.. ranked.Select(r => new IntentScore(r.Label, r.Probability))], IntentSlots.None, source);

    [Fact]
    public void AnUnsureLiveStateDeclineWithAQuestionRunnerUpGoesToAskWhichThenHasTheFinalWord()
    {
        var routed = IntentRouting.Resolve(Verdict("offline", (IntentLabels.LiveState, 0.46), (IntentLabels.Ask, 0.3), (IntentLabels.TasksList, 0.1)), Options);

        Assert.Equal(IntentLabels.Ask, routed.Label);
        Assert.Equal(0.3, routed.Confidence);
        Assert.Equal(IntentRouting.DeferredSource, routed.Source);
        Assert.True(IntentRouting.IsSure(routed, Options));
    }

    [Fact]
    public void ASureLiveStateDeclineOrOneWhoseRunnerUpIsNoQuestionStands()
    {
        var sure = Verdict("offline", (IntentLabels.LiveState, 0.55), (IntentLabels.Ask, 0.3));
        var noQuestion = Verdict("offline", (IntentLabels.LiveState, 0.45), (IntentLabels.StatusProgram, 0.3), (IntentLabels.Ask, 0.2));

        Assert.Equal(IntentLabels.LiveState, IntentRouting.Resolve(sure, Options).Label);
        Assert.Equal(IntentLabels.LiveState, IntentRouting.Resolve(noQuestion, Options).Label);
    }

    [Theory]
    [InlineData(IntentLabels.Unsafe)]
    [InlineData(IntentLabels.Personal)]
    [InlineData(IntentLabels.OffTopic)]
    public void OtherDeclinesAreNeverHandedToAsk(string label)
    {
        var routed = IntentRouting.Resolve(Verdict("offline", (label, 0.42), (IntentLabels.Ask, 0.4)), Options);

        Assert.Equal(label, routed.Label);
    }

    [Fact]
    public void AnUnsafeLabelIsRefusedWithoutAClarifyingQuestionAboveItsOwnFloorOrOnACue()
    {
        Assert.True(IntentRouting.IsSure(Verdict("offline", (IntentLabels.Unsafe, 0.32), (IntentLabels.Attest, 0.3)), Options));
        Assert.True(IntentRouting.IsSure(Verdict(IntentRouting.CueSource, (IntentLabels.ChangesStatus, 0.5), (IntentLabels.Unsafe, 0.25)) with { Label = IntentLabels.Unsafe, Confidence = 0.25 }, Options));
        Assert.False(IntentRouting.IsSure(Verdict("offline", (IntentLabels.Unsafe, 0.25), (IntentLabels.Attest, 0.2)), Options));
        Assert.False(IntentRouting.IsSure(Verdict("offline", (IntentLabels.TasksList, 0.35), (IntentLabels.Help, 0.3)), Options));
    }
}
