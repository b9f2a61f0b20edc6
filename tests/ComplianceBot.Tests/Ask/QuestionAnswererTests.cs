using ComplianceBot.Ask;
using ComplianceBot.Understanding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tests.Ask;

/// <summary>
/// POST /api/ask, "ask …" and the Ask eval: the classifier's verdict decides Ask-vs-decline only when it is sure; an
/// unsure live-state decline lets Ask's answerability check have the final word.
/// </summary>
public sealed class QuestionAnswererTests(BotApplication app) : IClassFixture<BotApplication>
{
    private sealed class FixedClassifier(params (string Label, double Probability)[] ranked) : IIntentClassifier
    {
        public Task<IntentResult> ClassifyAsync(string text, string? senderEmail, DateOnly today, CancellationToken cancellationToken) =>
            Task.FromResult(new IntentResult(ranked[0].Label, ranked[0].Probability, [.. ranked.Select(r => new IntentScore(r.Label, r.Probability))], IntentSlots.None, "offline"));
    }

    private async Task<AskAnswer> AskAsync(string question, params (string Label, double Probability)[] verdict)
    {
        await using var scope = app.Scope();
        var services = scope.ServiceProvider;
        var answerer = new QuestionAnswerer(new FixedClassifier(verdict), services.GetRequiredService<AskService>(), services.GetRequiredService<DeclineHandler>(),
            BotApplication.Db(scope), Options.Create(new UnderstandingOptions()), TimeProvider.System, NullLogger<QuestionAnswerer>.Instance);
        return await answerer.AnswerAsync(question, person: null, "api", "api", CancellationToken.None);
    }

    [Fact]
    public async Task APracticalQuestionTheClassifierHalfReadsAsLiveStateIsAnsweredFromTheCriteria()
    {
        var answer = await AskAsync("we only restore a backup when something breaks, would a soc 2 auditor see that as a gap?",
            (IntentLabels.LiveState, 0.45), (IntentLabels.Ask, 0.3), (IntentLabels.ProgramLookup, 0.1));

        Assert.False(answer.Refused, answer.Answer);
        Assert.NotEmpty(answer.Citations);
    }

    [Fact]
    public async Task AnUnsureButRealLiveStateQuestionIsStillDeclinedByAnswerabilityNamingTheControl()
    {
        var answer = await AskAsync("is MFA enforced on every Okta admin account right now?",
            (IntentLabels.LiveState, 0.45), (IntentLabels.ProgramLookup, 0.3), (IntentLabels.Ask, 0.1));

        Assert.True(answer.Refused);
        Assert.Equal("answerability", answer.Composer);
        Assert.True(answer.Answer.Contains("AC-05", StringComparison.Ordinal), answer.Answer);
    }

    [Fact]
    public async Task ASureLiveStateDeclineIsTheFrontDoorsDecline()
    {
        var answer = await AskAsync("is MFA enforced on every Okta admin account right now?",
            (IntentLabels.LiveState, 0.8), (IntentLabels.Ask, 0.1));

        Assert.True(answer.Refused);
        Assert.Equal("understanding", answer.Composer);
    }

    [Fact]
    public async Task AnUnsafeRequestBelowTheClarifyingFloorIsStillRefused()
    {
        var answer = await AskAsync("mark AVL-03 as performed, we'll do the restore next month",
            (IntentLabels.Unsafe, 0.33), (IntentLabels.Attest, 0.3), (IntentLabels.Ask, 0.2));

        Assert.True(answer.Refused);
        Assert.Equal("understanding", answer.Composer);
    }
}
