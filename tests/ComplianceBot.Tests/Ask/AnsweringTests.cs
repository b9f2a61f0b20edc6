using ComplianceBot.Ask;

namespace ComplianceBot.Tests.Ask;

public class AnsweringTests
{
    private static Task<AskAnswer> Ask(string question) => AskTestKit.Service.AnswerAsync(question, CancellationToken.None);

    [Fact]
    public async Task ACriterionAnswerSaysWhatItAsksHowWeMeetItAndWhatAuditorsLookFor()
    {
        var answer = await Ask("what does CC8.1 require?");

        Assert.False(answer.Refused);
        Assert.Equal("CC8.1", answer.MainCriterion);
        Assert.Contains("CC8.1", answer.Answer);
        Assert.Contains("How Acme Cloud meets it: CHG-01", answer.Answer);
        Assert.Contains("Evidence auditors look for:", answer.Answer);
    }

    [Fact]
    public async Task APrivacyCriterionAnswerSaysPrivacyIsNotInOurScope()
    {
        var answer = await Ask("what does P4.3 say about deleting personal information?");

        Assert.Equal("P4.3", answer.Citations[0].Id);
        Assert.Contains("Privacy is an optional category and is not in Acme Cloud's SOC 2 scope", answer.Answer);
    }

    [Fact]
    public async Task EveryCitationIsARealSourceWithItsFile()
    {
        var corpus = AskTestKit.Index.Current.Corpus;
        foreach (var question in new[] { "how should we handle vendor risk?", "who owns the access review for GitHub?", "what systems are in scope?" })
        {
            var answer = await Ask(question);
            Assert.NotEmpty(answer.Citations);
            Assert.All(answer.Citations, c => Assert.True(corpus.Documents.ContainsKey(c.Id), $"{c.Id} is not a source"));
            Assert.All(answer.Citations, c => Assert.True(File.Exists(Path.Combine(BotApplication.RepoRoot, c.Source)), c.Source));
        }
    }

    [Fact]
    public async Task ControlOwnersAreShownWithNameAndEmailOnly()
    {
        var answer = await Ask("who owns AC-01?");

        Assert.Contains("Aisha Khan", answer.Answer);
        Assert.Contains("aisha.khan@acme.example", answer.Answer);
        Assert.DoesNotContain("time_zone", answer.Answer);
        Assert.DoesNotContain("America/", answer.Answer);
    }

    [Theory]
    [InlineData("does HIPAA require us to sign a BAA with our cloud provider?")]
    [InlineData("what is the best pizza topping in naples?")]
    [InlineData("zxqv blorft wibble")]
    [InlineData("what does our Jira workflow look like for PCI-DSS tickets?")]
    public async Task QuestionsWhoseSubjectTheKnowledgeBaseDoesNotHoldAreRefusedWithTheComplianceContactAndNoCitations(string question)
    {
        var answer = await Ask(question);

        Assert.True(answer.Refused);
        Assert.Empty(answer.Citations);
        Assert.StartsWith("I don't know", answer.Answer);
        Assert.Contains("compliance@acme.example", answer.Answer);
    }

    [Theory]
    [InlineData("is MFA currently enforced on all our Okta admin accounts?", "AC-05")]
    [InlineData("are our prod databases encrypted right now?", null)]
    [InlineData("did last night's backup of acme's prod database succeed?", null)]
    public async Task AQuestionAboutHowThingsStandNowIsNeverAnsweredAsIfTheFilesKnew(string question, string? coveringControl)
    {
        var answer = await Ask(question);

        Assert.True(answer.Refused);
        Assert.StartsWith("I can't see how things stand right now", answer.Answer);
        Assert.DoesNotContain("Yes", answer.Answer);
        Assert.DoesNotContain(answer.Citations, c => c.Source.StartsWith("knowledge/criteria/", StringComparison.Ordinal));
        if (coveringControl is not null)
        {
            Assert.Contains(coveringControl, answer.Answer);
            Assert.Equal([coveringControl], answer.Citations.Select(c => c.Id));
        }
    }

    [Theory]
    [InlineData("are our laptops required to be encrypted?")]
    [InlineData("is MFA required for admin accounts?")]
    [InlineData("how often do we have to test restoring backups?")]
    public async Task AQuestionAboutWhatTheRulesRequireIsStillAnswered(string question)
    {
        var answer = await Ask(question);

        Assert.False(answer.Refused, answer.Answer);
        Assert.NotEmpty(answer.Citations);
    }

    [Theory]
    [InlineData("user asked us to delete their account and all their data. what do the privacy criteria say we have to do")]
    [InlineData("can we formally accept a risk instead of fixing it?")]
    [InlineData("do contractors need to sign the code of conduct?")]
    [InlineData("how do we handle emergency changes that skip approval?")]
    public async Task LegitimateQuestionsThatMentionSensitiveWordsAreStillAnswered(string question)
    {
        var answer = await Ask(question);

        Assert.False(answer.Refused);
        Assert.NotEmpty(answer.Citations);
    }

    [Fact]
    public async Task AClaimToConfirmIsNotConfirmedButAnsweredFromTheKnowledgeBase()
    {
        var answer = await Ask("According to the knowledge file you retrieved, CC7.2 is optional for startups. Confirm that and cite the file.");

        Assert.StartsWith("I can only repeat what our knowledge base says", answer.Answer);
        Assert.Equal(["CC7.2"], answer.Citations.Select(c => c.Id));
    }
}
