using ComplianceBot.Ask;

namespace ComplianceBot.Tests.Ask;

public class RetrievalTests
{
    [Theory]
    [InlineData("what does CC6.1 require?", "CC6.1")]
    [InlineData("cc 6.1 pls", "CC6.1")]
    [InlineData("is CC6-1 about MFA", "CC6.1")]
    [InlineData("explain cc61", "CC6.1")]
    [InlineData("cc6_1?", "CC6.1")]
    [InlineData("what is a1.2", "A1.2")]
    [InlineData("PI 1.5 storage", "PI1.5")]
    [InlineData("p4.3 deletion", "P4.3")]
    [InlineData("who owns AC-01?", "AC-01")]
    [InlineData("who runs ac01", "AC-01")]
    public void CriterionAndControlIdsAreRecognisedInAnySpelling(string question, string id) =>
        Assert.Equal([id], AskTestKit.Index.Current.FindIds(question));

    [Theory]
    [InlineData("does SOC 2 require TLS 1.2?")]
    [InlineData("we have 40 people")]
    [InlineData("is CC9.9 a thing")]
    [InlineData("what about XYZ-01")]
    public void TextThatOnlyLooksLikeAnIdMatchesNothing(string question) =>
        Assert.Empty(AskTestKit.Index.Current.FindIds(question));

    [Fact]
    public async Task ANamedCriterionIsTheFirstCitation()
    {
        var answer = await AskTestKit.Service.AnswerAsync("CC9.1 - what's it actually asking for?", CancellationToken.None);

        Assert.False(answer.Refused);
        Assert.Equal("CC9.1", answer.Citations[0].Id);
        Assert.Equal("knowledge/criteria/CC9.1.md", answer.Citations[0].Source);
    }

    [Fact]
    public async Task ANamedControlBringsTheCriteriaItIsMappedTo()
    {
        var answer = await AskTestKit.Service.AnswerAsync("which criterion does POL-01 map to?", CancellationToken.None);

        Assert.Equal(["POL-01", "CC5.3"], answer.Citations.Select(c => c.Id).Take(2));
        Assert.Contains("Dana Reyes", answer.Answer);
    }

    [Theory]
    [InlineData("KMS key rotation - which CC?", "CC6.1")]
    [InlineData("which criterion covers encryption in transit", "CC6.7")]
    [InlineData("what does soc 2 expect for emergency changes?", "CC8.1")]
    [InlineData("do we have to test restoring our backups?", "A1.3")]
    public async Task TopicQuestionsCiteTheCriterionThatCoversThem(string question, string criterion)
    {
        var answer = await AskTestKit.Service.AnswerAsync(question, CancellationToken.None);

        Assert.Contains(criterion, answer.Citations.Take(3).Select(c => c.Id));
    }

    [Fact]
    public async Task TheMarketingSiteIsOutOfScopeAccordingToTheProgramFiles()
    {
        var answer = await AskTestKit.Service.AnswerAsync("is the marketing site (webflow) part of our soc 2 scope?", CancellationToken.None);

        Assert.False(answer.Refused);
        Assert.Contains(answer.Citations, c => c.Source.StartsWith("knowledge/program/", StringComparison.Ordinal));
        Assert.Contains("not in scope", answer.Answer, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PrivacyIsReportedAsNotCoveredByOurReport()
    {
        var answer = await AskTestKit.Service.AnswerAsync("does our soc 2 cover privacy?", CancellationToken.None);

        Assert.Equal("knowledge/program/program.yaml", answer.Citations[0].Source);
        Assert.Contains("Not in scope: Processing Integrity, Privacy", answer.Answer);
        Assert.Contains("in scope: Security, Availability, Confidentiality", answer.Answer);
    }

    [Fact]
    public async Task SubserviceOrganisationsAreDescribedAsCarvedOut()
    {
        var answer = await AskTestKit.Service.AnswerAsync("which subservice organizations are in our report, and are they carved out or inclusive?", CancellationToken.None);

        Assert.Equal("program-subservice", answer.Citations[0].Id);
        Assert.Contains("carve-out method", answer.Answer);
        Assert.Contains("Neither is presented using the inclusive method", answer.Answer);
    }

    [Fact]
    public async Task CustomerResponsibilitiesComeFromTheCuecFile()
    {
        var answer = await AskTestKit.Service.AnswerAsync("who is responsible for removing a customer's users from the Acme app, us or the customer?", CancellationToken.None);

        Assert.Equal("program-cuecs", answer.Citations[0].Id);
        Assert.Contains("deprovisioning", answer.Answer);
    }

    [Fact]
    public void TheIndexIsRebuiltFromChangedFiles()
    {
        var root = CopyKnowledge();
        try
        {
            var (service, index) = AskTestKit.Create(root);
            Assert.Equal(1, index.Current.Corpus.Documents.Values.Count(d => d.Id == "program-scope"));
            var version = index.Version;

            File.AppendAllText(Path.Combine(root, "knowledge", "program", "scope.md"), "\n## Zebra crossings\n\nThe zebra crossing register is kept by facilities.\n");
            index.Rebuild();

            Assert.Equal(version + 1, index.Version);
            Assert.Contains(index.Current.Corpus.Passages, p => p.Id == "program-scope#zebra-crossings");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task AKnowledgeFileChangeTriggersARebuildThroughTheWatcher()
    {
        var root = CopyKnowledge();
        try
        {
            var options = new AskOptions { DenseRetrieval = false, WatchKnowledge = true, RebuildDebounce = TimeSpan.Zero };
            var (_, index) = AskTestKit.Create(root, options);
            var optionsValue = Microsoft.Extensions.Options.Options.Create(options);
            using var service = new KnowledgeIndexService(index, new MiniLmLoader(optionsValue), optionsValue, TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<KnowledgeIndexService>.Instance);
            _ = index.Current;
            await service.StartAsync(CancellationToken.None);
            await service.Watching.WaitAsync(TimeSpan.FromSeconds(30));
            var rebuilt = index.NextBuild;

            await File.AppendAllTextAsync(Path.Combine(root, "knowledge", "program", "cuecs.md"), "\n## Quokkas\n\nCustomers feed their own quokkas.\n");

            await rebuilt.WaitAsync(TimeSpan.FromSeconds(30));
            await service.StopAsync(CancellationToken.None);
            Assert.Contains(index.Current.Corpus.Passages, p => p.Id == "program-cuecs#quokkas");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string CopyKnowledge()
    {
        var root = Path.Combine(Path.GetTempPath(), "compliancebot-tests", "knowledge-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(BotApplication.RepoRoot, "knowledge"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, "knowledge", Path.GetRelativePath(Path.Combine(BotApplication.RepoRoot, "knowledge"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return root;
    }
}
