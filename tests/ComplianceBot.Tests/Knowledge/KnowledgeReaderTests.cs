using ComplianceBot.Knowledge;

namespace ComplianceBot.Tests.Knowledge;

public sealed class KnowledgeReaderTests : IDisposable
{
    private const string Controls = "program/controls.yaml";
    private const string People = "program/people.yaml";
    private readonly KnowledgeCopy _knowledge = new();

    public void Dispose() => _knowledge.Dispose();

    private KnowledgeImportException ReadFails() => Assert.Throws<KnowledgeImportException>(() => KnowledgeReader.Read(_knowledge.Root));

    [Fact]
    public void TheDemoProgramReadsCleanly()
    {
        var snapshot = KnowledgeReader.Read(_knowledge.Root);

        Assert.Equal(61, snapshot.Criteria.Count);
        Assert.True(snapshot.People.Count >= 12);
        Assert.True(snapshot.Controls.Count >= 25);
        Assert.Equal("Type 2", snapshot.Profile.ReportType);
        Assert.Contains("Availability", snapshot.Profile.CategoriesInScope);
        Assert.Contains("Privacy", snapshot.Profile.CategoriesOutOfScope);
    }

    [Fact]
    public void TheDemoProgramCoversEveryCommonCriteriaSeriesPlusAvailabilityAndConfidentiality()
    {
        var snapshot = KnowledgeReader.Read(_knowledge.Root);
        var mapped = snapshot.Controls.SelectMany(c => c.Criteria).ToHashSet();

        foreach (var series in new[] { "CC1.", "CC2.", "CC3.", "CC4.", "CC5.", "CC6.", "CC7.", "CC8.", "CC9.", "A1.", "C1." })
        {
            Assert.Contains(mapped, id => id.StartsWith(series, StringComparison.Ordinal));
        }

        Assert.True(snapshot.People.Select(p => p.TimeZone.Split('/')[0]).Distinct().Count() >= 2, "time zones on at least two continents");
    }

    [Fact]
    public void TheDemoProgramStatesItsAuditPeriodTrackingStartAndReviewControls()
    {
        var snapshot = KnowledgeReader.Read(_knowledge.Root);

        Assert.Equal(new DateOnly(2026, 1, 1), snapshot.Profile.PeriodStart);
        Assert.Equal(new DateOnly(2026, 11, 27), snapshot.Profile.TrackingStart);
        Assert.Equal(new DateOnly(2026, 11, 27), snapshot.Profile.OccurrencesFrom);
        Assert.Equal(["AC-01", "AC-02", "AC-03", "AC-04"], snapshot.Controls.Where(c => c.EvidencedBy == "access_review").Select(c => c.Id));
    }

    [Fact]
    public void AnUnknownEvidencingFlowOrOneWithoutItsSystemIsReported()
    {
        _knowledge.Replace(Controls, "    frequency: annual\n    criteria: [CC1.1]\n", "    frequency: annual\n    criteria: [CC1.1]\n    evidenced_by: board_vote\n");
        _knowledge.Replace(Controls, "    system: Okta\n    evidenced_by: access_review\n", "    evidenced_by: access_review\n");

        var errors = ReadFails().Errors;

        Assert.Contains(errors, e => e.Entry == "control GOV-01" && e.Problem == "unknown evidenced_by 'board_vote'" && e.Fix.Contains("access_review", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Entry == "control AC-03" && e.Problem == "evidenced_by: access_review needs the system it reviews");
    }

    [Fact]
    public void ARenumberingWhoseOldIdIsStillListedIsReported()
    {
        _knowledge.Replace(Controls, "  - id: AC-02\n", "  - id: AC-12\n    renamed_from: AC-01\n");

        var error = Assert.Single(ReadFails().Errors);

        Assert.Equal("control AC-12", error.Entry);
        Assert.Contains("renamed_from 'AC-01' is still listed", error.Problem);
    }

    [Fact]
    public void ATrackingStartAfterTheAuditPeriodIsReported()
    {
        _knowledge.Replace("program/program.yaml", "tracking_start: 2026-11-27", "tracking_start: 2027-02-01");

        var error = Assert.Single(ReadFails().Errors);

        Assert.Equal("knowledge/program/program.yaml", error.File);
        Assert.Contains("'tracking_start' is after 'period_end'", error.Problem);
    }

    [Fact]
    public void AnUnknownCriterionNamesTheFileTheLineAndTheFix()
    {
        _knowledge.Replace(Controls, "criteria: [CC1.1]", "criteria: [CC1.9]");

        var error = Assert.Single(ReadFails().Errors);

        Assert.Equal("knowledge/program/controls.yaml", error.File);
        Assert.Equal(_knowledge.LineOf(Controls, "criteria: [CC1.9]"), error.Line);
        Assert.Equal("control GOV-01", error.Entry);
        Assert.Contains("unknown criterion 'CC1.9'", error.Problem);
        Assert.Contains("knowledge/criteria/", error.Fix);
    }

    [Fact]
    public void AnUnknownOwnerEmailIsReported()
    {
        _knowledge.Replace(Controls, "owner: omar.haddad@acme.example\n    frequency: annual\n    criteria: [CC1.1]", "owner: ghost@acme.example\n    frequency: annual\n    criteria: [CC1.1]");

        var error = Assert.Single(ReadFails().Errors);

        Assert.Contains("unknown owner 'ghost@acme.example'", error.Problem);
        Assert.Equal("control GOV-01", error.Entry);
    }

    [Fact]
    public void ADuplicateControlIdPointsAtTheSecondEntryAndTheFirst()
    {
        _knowledge.Replace(Controls, "id: GOV-02", "id: GOV-01");

        var error = Assert.Single(ReadFails().Errors);

        Assert.Contains("duplicate control id 'GOV-01'", error.Problem);
        Assert.Contains($"first at line {_knowledge.LineOf(Controls, "id: GOV-01")}", error.Problem);
    }

    [Fact]
    public void AManagerCycleIsReportedOnceWithTheWholeChain()
    {
        // The CEO reports to the CTO, who reports to the CEO.
        _knowledge.Replace(People, "title: Chief Executive Officer\n", "title: Chief Executive Officer\n    manager: james.okafor@acme.example\n");

        var error = Assert.Single(ReadFails().Errors);

        Assert.Contains("manager cycle", error.Problem);
        Assert.Contains("maria.chen@acme.example", error.Problem);
        Assert.Contains("james.okafor@acme.example", error.Problem);
    }

    [Fact]
    public void SeveralProblemsAreAllReportedInOneRun()
    {
        _knowledge.Replace(Controls, "criteria: [CC1.1]", "criteria: [CC1.9]");
        _knowledge.Replace(People, "time_zone: America/New_York", "time_zone: Mars/Olympus");
        _knowledge.Replace(Controls, "frequency: quarterly", "frequency: fortnightly");

        var errors = ReadFails().Errors;

        Assert.Contains(errors, e => e.Problem.Contains("CC1.9", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Problem.Contains("Mars/Olympus", StringComparison.Ordinal) && e.File.EndsWith("people.yaml", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Problem.Contains("fortnightly", StringComparison.Ordinal));
    }

    [Fact]
    public void AMisspelledFieldIsAnErrorNotSilentlyIgnored()
    {
        _knowledge.Replace(Controls, "    criteria: [CC1.1]\n", "    criteria: [CC1.1]\n    crieria: [CC1.2]\n");

        var error = Assert.Single(ReadFails().Errors);

        Assert.Contains("unknown field 'crieria'", error.Problem);
        Assert.Contains("did you mean criteria?", error.Fix);
    }

    [Fact]
    public void BrokenYamlReportsTheLineItBreaksOn()
    {
        File.AppendAllText(_knowledge.PathOf(Controls), "  - id: BAD-01\n    title: [unclosed\n");

        var error = Assert.Single(ReadFails().Errors);

        Assert.StartsWith("a list in [ ] or a mapping in { } is not closed", error.Problem);
        Assert.Contains("close it on the same line", error.Fix);
        Assert.True(error.Line > 1);
    }

    [Theory]
    [InlineData("IST", "ambiguous", "Asia/Kolkata")]
    [InlineData("PST", "abbreviation", "America/Los_Angeles")]
    [InlineData("Europe/Berln", "did you mean Europe/Berlin?", "IANA")]
    public void ATimeZoneNearMissSaysWhatWasMeant(string written, string expected, string alsoExpected)
    {
        _knowledge.Replace(People, "time_zone: America/New_York", $"time_zone: {written}");

        var error = ReadFails().Errors[0];

        Assert.Contains($"unknown time zone '{written}'", error.Problem);
        Assert.Contains(expected, error.Fix);
        Assert.Contains(alsoExpected, error.Fix);
        Assert.Equal(_knowledge.LineOf(People, $"time_zone: {written}"), error.Line);
    }

    [Fact]
    public void AMistypedOwnerEmailPointsAtTheOwnerLineAndSuggestsThePerson()
    {
        _knowledge.Replace(Controls, "owner: omar.haddad@acme.example", "owner: omar.hadad@acme.example");

        var error = ReadFails().Errors[0];

        Assert.Contains("unknown owner 'omar.hadad@acme.example'", error.Problem);
        Assert.Contains("did you mean omar.haddad@acme.example?", error.Fix);
        Assert.Equal(_knowledge.LineOf(Controls, "owner: omar.hadad@acme.example"), error.Line);
    }

    [Fact]
    public void AValueWithAColonGetsPlainWordsAboutQuoting()
    {
        _knowledge.Replace(Controls, "title: Code of conduct acknowledgement", "title: Code of conduct: acknowledgement");

        var error = Assert.Single(ReadFails().Errors);

        Assert.Contains("the YAML reader said", error.Problem);
        Assert.Contains("contains ': '", error.Fix);
        Assert.Contains("double quotes", error.Fix);
        Assert.Equal(_knowledge.LineOf(Controls, "title: Code of conduct: acknowledgement"), error.Line);
    }

    [Fact]
    public void OwnersMayComeFromTheDirectoryInsteadOfPeopleYaml()
    {
        _knowledge.Replace(Controls, "owner: omar.haddad@acme.example", "owner: new.hire@acme.example");

        var snapshot = KnowledgeReader.Read(_knowledge.Root, new HashSet<string> { "new.hire@acme.example" });

        Assert.Contains(snapshot.Controls, c => c.OwnerEmail == "new.hire@acme.example");
    }

    [Fact]
    public void ACriterionFileWhoseIdDoesNotMatchItsNameIsReported()
    {
        _knowledge.Replace("criteria/CC6.1.md", "id: CC6.1", "id: CC6.10");

        var errors = ReadFails().Errors;

        Assert.Contains(errors, e => e.File == "knowledge/criteria/CC6.1.md" && e.Problem.Contains("file name does not match", StringComparison.Ordinal));
    }

    [Fact]
    public void TheMessageListsEveryProblemAsFileLineEntryProblemAndFix()
    {
        _knowledge.Replace(Controls, "criteria: [CC1.1]", "criteria: [CC1.9]");

        var message = ReadFails().Message;

        Assert.Matches(@"knowledge/program/controls\.yaml:\d+ \(control GOV-01\): unknown criterion 'CC1\.9'\. Fix: ", message);
    }
}
