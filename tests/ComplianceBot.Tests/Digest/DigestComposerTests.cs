using ComplianceBot.Digest;

namespace ComplianceBot.Tests.Digest;

public sealed class DigestComposerTests
{
    private static readonly DateOnly Monday = new(2026, 12, 7);

    [Fact]
    public void TheSparklineHasOneBarPerWeekAndADotForAWeekWithNothingDue()
    {
        var monday = new DateOnly(2026, 11, 2);
        Assert.Equal("·▁▅█", DigestComposer.Sparkline([new(monday, 0, 0), new(monday.AddDays(7), 4, 0), new(monday.AddDays(14), 4, 2), new(monday.AddDays(21), 3, 3)]));
    }

    [Fact]
    public void ADailyControlMissedAllWeekIsOneEntrySoItDoesNotCrowdOutTheOthers()
    {
        List<TaskLine> daily = [.. Enumerable.Range(0, 6).Select(d => Line(10 + d, "AVL-02", $"2026-11-{27 + d:00}", new DateOnly(2026, 11, 28).AddDays(d), "Hannah Schmidt"))];
        var annual = Line(1, "BCP-01", "2026", new DateOnly(2026, 12, 2), "James Okafor");
        List<TaskLine> all = [.. daily, annual];
        var digest = new WeeklyDigest(
            new DateTimeOffset(2026, 11, 30, 14, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 7, 14, 0, 0, TimeSpan.Zero),
            new WeekChanges(0, 0, [], [], all, 0, 0, 0, 0, 0, 0),
            [new OverdueOwner("Hannah Schmidt", "hannah@acme.example", "Tom Becker", daily), new OverdueOwner("James Okafor", "james@acme.example", null, [annual])],
            [], [], null, []);

        var text = DigestComposer.Compose(digest, Monday, null, maxListed: 2).Text.ToString();

        Assert.Contains("Newly overdue (7): AVL-02 ×6 (Hannah Schmidt, due Sat 28 Nov to Thu 3 Dec), BCP-01 2026 (James Okafor, due Wed 2 Dec)", text, StringComparison.Ordinal);
        Assert.Contains("Hannah Schmidt (manager Tom Becker): 6 — AVL-02 ×6 (oldest 9 days)", text, StringComparison.Ordinal);
        Assert.Contains("James Okafor: 1 — BCP-01 2026 (5 days)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("more", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheWeekIsNamedInTheRecipientsOwnDateEastOfUtc()
    {
        // Monday 7 Dec, 09:00 in Auckland is Sunday 6 Dec, 20:00 UTC.
        var until = new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero);
        var digest = new WeeklyDigest(until.AddDays(-7), until, new WeekChanges(0, 0, [], [], [], 0, 0, 0, 0, 0, 0), [], [], [], null, []);

        var reply = DigestComposer.Compose(digest, Monday, null, maxListed: 10);

        Assert.Equal("Weekly compliance digest: week of Mon 7 Dec", reply.Title);
        Assert.Contains("What changed since Mon 30 Nov", reply.Text.ToString(), StringComparison.Ordinal);
    }

    private static TaskLine Line(int id, string control, string period, DateOnly due, string owner) => new(id, control, period, due, owner);
}
