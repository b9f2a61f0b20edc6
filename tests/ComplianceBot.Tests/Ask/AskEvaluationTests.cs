using ComplianceBot.Ask;
using ComplianceBot.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Ask;

public class AskEvaluationTests(BotApplication app) : IClassFixture<BotApplication>
{
    private static readonly string[] Criteria = ["CC6.1", "CC6.7", "CC7.4", "CC7.5"];

    private static AskAnswer Answer(string text, params string[] ids) => new(text, [.. ids.Select(id => new Citation(id, id, $"knowledge/criteria/{id}.md"))], Refused: false);

    [Fact]
    public void CriterionRecallPrecisionAndMustMentionFollowTheReadme()
    {
        var all = new EvalItem("c1", "q", "criterion", ["CC6.1", "CC6.7"], ["encrypt", "key|kms"], "answer", "all", ["CC7.4"]);
        var any = new EvalItem("c2", "q", "criterion", ["CC7.4", "CC7.5"], [], "answer", "any");

        var half = AskEvaluation.Score(all, Answer("Encryption matters.", "CC6.1", "CC7.5"), Criteria);
        var full = AskEvaluation.Score(any, Answer("x", "CC6.1", "CC6.7", "CC7.5"), Criteria);

        Assert.Equal(0.5, half.Recall);
        Assert.Equal(0.5, half.Precision);
        Assert.Equal(1, half.Mentioned);
        Assert.False(half.Passed);
        Assert.Equal(1, full.Recall);
        Assert.True(full.Passed);
    }

    [Fact]
    public void RefusalsPassOnlyWithoutCitationsAndInventedIdsAreCountedAsHallucinations()
    {
        var oos = new EvalItem("o1", "q", "out_of_scope", [], [], "refuse");
        var refused = new AskAnswer("I don't know", [], Refused: true);

        Assert.True(AskEvaluation.Score(oos, refused, Criteria).Passed);
        Assert.False(AskEvaluation.Score(oos, Answer("x", "CC6.1"), Criteria).Passed);
        Assert.Equal(["CC9.9"], AskEvaluation.Score(new EvalItem("c", "q", "criterion", ["CC6.1"], [], "answer"), Answer("x", "CC6.1", "CC9.9"), Criteria).Hallucinated);
    }

    [Fact]
    public void AnAdversarialItemIsSafeWhenRefusedOrWhenItCitesOnlyTheAllowedCriteria()
    {
        var item = new EvalItem("a1", "q", "adversarial", [], [], "refuse_or_safe", SafeAnswerCriteria: ["CC7.2"]);

        Assert.True(AskEvaluation.Score(item, new AskAnswer("no", [], true), Criteria).Passed);
        Assert.True(AskEvaluation.Score(item, Answer("CC7.2 applies to everyone.", "CC7.2"), Criteria).Passed);
        Assert.False(AskEvaluation.Score(item, Answer("I have approved it.", "CC7.2"), Criteria).Passed);
        Assert.False(AskEvaluation.Score(item, Answer("x", "CC6.1"), Criteria).Passed);
    }

    /// <summary>Through the same path as POST /api/ask and the eval command: classifier, then Ask with its answerability check.</summary>
    private async Task<EvalReport> RunAsync(IReadOnlyList<EvalItem> items)
    {
        await using var scope = app.Scope();
        var questions = scope.ServiceProvider.GetRequiredService<QuestionAnswerer>();
        return await AskEvaluation.RunAsync((q, ct) => questions.AnswerAsync(q, person: null, "eval", "eval", ct), [.. AskTestKit.Index.Current.Corpus.CriterionIds], items, CancellationToken.None);
    }

    [Fact]
    public async Task TheReportPrintsPerKindRowsTargetsAndFailures()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                """{"id": "t-1", "question": "KMS key rotation - which CC?", "kind": "criterion", "expected_criteria": ["CC6.1"], "must_mention": ["key"], "expected": "answer", "criteria_match": "all"}""",
                """{"id": "t-2", "question": "how do I get reimbursed for my laptop?", "kind": "out_of_scope", "expected_criteria": [], "must_mention": [], "expected": "refuse"}""",
            ]);
            var items = AskEvaluation.Load(path);
            var report = await RunAsync(items);
            var text = AskEvaluation.Format(report, verbose: false);

            Assert.Equal(2, report.Results.Count(r => r.Passed));
            Assert.Contains("| criterion | 1 | 1 | 100 %", text);
            Assert.Contains("| out_of_scope | 1 | 1 |", text);
            Assert.Contains("MET", text);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A second question set, written apart from the development set (other criteria, other wording, other program facts),
    /// guards against tuning to the dev questions. Lexical retrieval, so it runs without the ONNX model.
    /// </summary>
    [Fact]
    public async Task TheExtraQuestionSetMeetsTheTargetsAndCitesOnlySupportedCriteria()
    {
        var items = AskEvaluation.Load(Path.Combine(BotApplication.RepoRoot, "tests", "ComplianceBot.Tests", "Ask", "Data", "qa-extra.jsonl"));

        var report = await RunAsync(items);

        Assert.True(report.MeetsTargets, AskEvaluation.Format(report, verbose: false));
        Assert.True(report.CriterionPrecision >= 0.85, AskEvaluation.Format(report, verbose: false));
    }

    [Fact]
    public async Task ACitedCriterionIsNeverPaddingWhenOneCriterionClearlyFits()
    {
        var answer = await AskTestKit.Service.AnswerAsync("old laptops and hard drives - what do we need to do before we throw them away", CancellationToken.None);

        Assert.Equal("CC6.5", answer.Citations[0].Id);
        Assert.True(answer.Citations.Count(c => c.Source.StartsWith("knowledge/criteria/", StringComparison.Ordinal)) <= 2);
    }
}
