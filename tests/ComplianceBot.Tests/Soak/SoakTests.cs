using ComplianceBot.Tests.Data;
using ComplianceBot.Tests.Fakes;

namespace ComplianceBot.Tests.Soak;

/// <summary>
/// The soak in small: two hosts as their own processes on one database (PostgreSQL where available, always in CI) and
/// one evidence store (Azurite where available), one SIGKILLed mid-load and restarted; changes are decided in the web
/// chat and by Approve/Reject clicks on their Teams cards. bench's `soak` runs three hosts.
/// </summary>
[Collection(Azurite.Collection)]
public sealed class SoakTests
{
    [Fact]
    public async Task TwoHostsOneKilledMidLoadLoseNothingAndSendNothingTwice()
    {
        var report = await SoakRun.RunAsync(new SoakOptions
        {
            HostDll = Path.Combine(AppContext.BaseDirectory, "ComplianceBot.dll"),
            Hosts = 2,
            Kills = 1,
            SlackEvents = 40,
            TeamsMessages = 16,
            Attestations = 4,
            Uploads = 4,
            Changes = 4,
            Concurrency = 4,
            Database = TestDatabase.PostgresHere ? "Postgres" : "Sqlite",
            Azurite = Azurite.Available,
        }, CancellationToken.None);

        using var text = new StringWriter();
        report.WriteTo(text);
        Assert.True(report.Passed, text.ToString());
        Assert.Contains(report.Lines, l => l.StartsWith("slack events: sent 40, acknowledged 40, answered exactly once 40", StringComparison.Ordinal));
        Assert.Contains(report.Lines, l => l.StartsWith("change approvals: submitted and acknowledged 4 ", StringComparison.Ordinal) && l.Contains("decided once as planned 4 (approved 3, rejected 1; by a click on the Teams card 3), callback delivered as one delivery 4", StringComparison.Ordinal));
        Assert.Contains(report.Lines, l => l.StartsWith("teams card actions: cards of changes posted ", StringComparison.Ordinal));
    }
}
