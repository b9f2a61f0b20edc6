using System.Globalization;
using ComplianceBot.Conversations;

namespace ComplianceBot.Digest;

/// <summary>
/// Writes a <see cref="WeeklyDigest"/> as one channel-neutral <see cref="Reply"/>: bold section headings and "• " lines
/// in <see cref="RichText"/>, which each renderer escapes for its client (Slack mrkdwn, a Teams card, the web chat).
/// </summary>
public static class DigestComposer
{
    private const string Bars = "▁▂▃▄▅▆▇█";

    /// <param name="team">For a manager's digest, the sentence that names the team; null for the compliance channel's.</param>
    public static Reply Compose(WeeklyDigest digest, DateOnly today, string? team, int maxListed)
    {
        // The recipient's own date a week ago: east of UTC, Monday 09:00 is still Sunday in UTC.
        var since = today.AddDays(-(int)Math.Round((digest.Until - digest.Since).TotalDays));
        var text = new List<RichText>();
        if (team is not null)
        {
            text.Add(team + "\n\n");
        }

        Section(text, $"What changed since {Day(since)}", ChangeLines(digest.Changes, maxListed), "Nothing was attested, decided or approved this week.");
        Section(text, digest.OverdueCount == 0 ? "Overdue now" : $"Overdue now: {Count(digest.OverdueCount, "occurrence")} ({Count(digest.Overdue.Count, "owner")})",
            OverdueLines(digest.Overdue, today, maxListed), "Nothing is overdue.");
        Section(text, "Stuck", StuckLines(digest, maxListed), "Nothing is stuck.");
        text.Add(RichText.Bold($"On time, last {digest.Trend.Count} weeks"));
        text.Add("\n" + TrendLine(digest.Trend));
        var lastWeek = digest.Trend.Count > 0 ? digest.Trend[^1] : null;
        return new Reply(RichText.Concat(text))
        {
            Title = team is null ? $"Weekly compliance digest: week of {Day(today)}" : $"Your team's weekly compliance digest: week of {Day(today)}",
            Fields =
            [
                new("Attested this week", digest.Changes.Attested.ToString(CultureInfo.InvariantCulture)),
                new("Overdue now", digest.OverdueCount.ToString(CultureInfo.InvariantCulture)),
                new("Stuck", (digest.StuckReviews.Count + digest.StuckChanges.Count + (digest.Deliveries?.NewParked + digest.Deliveries?.NewUnconfirmed ?? 0)).ToString(CultureInfo.InvariantCulture)),
                new("On time last week", lastWeek?.Rate is { } rate ? $"{Percent(rate)} ({lastWeek.OnTime} of {lastWeek.Due})" : "nothing was due"),
            ],
        };
    }

    /// <summary>One character per week, ▁ (none on time) to █ (all on time); · for a week in which nothing fell due.</summary>
    public static string Sparkline(IEnumerable<WeekOnTime> weeks) =>
        string.Concat(weeks.Select(w => w.Rate is { } rate ? Bars[(int)Math.Round(rate * (Bars.Length - 1))] : '·'));

    private static string TrendLine(IReadOnlyList<WeekOnTime> trend)
    {
        var measured = trend.Where(w => w.Due > 0).ToList();
        if (measured.Count == 0)
        {
            return "Nothing fell due in these weeks yet.";
        }

        var last = measured[^1];
        var average = (double)measured.Sum(w => w.OnTime) / measured.Sum(w => w.Due);
        return $"{Sparkline(trend)}  {Percent(last.Rate!.Value)} in the week of {Day(last.Monday)} ({last.OnTime} of {last.Due} attested by their due date); " +
            $"{Percent(average)} over the {Count(measured.Count, "week")} with occurrences due.";
    }

    private static void Section(List<RichText> text, string heading, List<string> lines, string none)
    {
        text.Add(RichText.Bold(heading));
        text.Add("\n" + string.Join("\n", lines.Count == 0 ? ["• " + none] : lines.Select(l => "• " + l)) + "\n\n");
    }

    private static List<string> ChangeLines(WeekChanges c, int max)
    {
        var lines = new List<string>();
        if (c.Attested > 0)
        {
            lines.Add($"{Count(c.Attested, "occurrence")} attested" + (c.AttestedLate > 0 ? $" ({c.AttestedLate} late)" : ""));
        }

        if (c.WithExceptions.Count > 0)
        {
            lines.Add($"With exceptions: {List(c.WithExceptions.Select(t => $"{t.ControlId} {t.Period} ({t.Owner})"), max)}");
        }

        if (c.NotPerformed.Count > 0)
        {
            lines.Add($"Not performed: {List(c.NotPerformed.Select(t => $"{t.ControlId} {t.Period} ({t.Owner})"), max)}");
        }

        if (c.NewlyOverdue.Count > 0)
        {
            lines.Add($"Newly overdue ({c.NewlyOverdue.Count}): {List(ByControl(c.NewlyOverdue).Select(g => g.Count == 1
                ? $"{g[0].ControlId} {g[0].Period} ({g[0].Owner}, due {Day(g[0].DueDate)})"
                : $"{g[0].ControlId} ×{g.Count} ({g[0].Owner}, due {Day(g[0].DueDate)} to {Day(g[^1].DueDate)})"), max)}");
        }

        if (c.AccountsKept + c.AccountsRevoked + c.ReviewsCompleted > 0)
        {
            lines.Add($"Access reviews: {Count(c.AccountsKept, "account")} kept, {c.AccountsRevoked} revoked; {Count(c.ReviewsCompleted, "review")} completed");
        }

        if (c.ChangesSubmitted + c.ChangesApproved + c.ChangesRejected > 0)
        {
            lines.Add($"Changes: {c.ChangesSubmitted} submitted, {c.ChangesApproved} approved, {c.ChangesRejected} rejected");
        }

        return lines;
    }

    private static List<string> OverdueLines(IReadOnlyList<OverdueOwner> owners, DateOnly today, int max)
    {
        var lines = owners.Take(max).Select(o =>
            $"{o.Owner}" + (o.Manager is null ? "" : $" (manager {o.Manager})") + $": {o.Tasks.Count} — " +
            List(ByControl(o.Tasks).Select(g => g.Count == 1
                ? $"{g[0].ControlId} {g[0].Period} ({Count(today.DayNumber - g[0].DueDate.DayNumber, "day")})"
                : $"{g[0].ControlId} ×{g.Count} (oldest {Count(today.DayNumber - g[0].DueDate.DayNumber, "day")})"), 3)).ToList();
        if (owners.Count > max)
        {
            lines.Add($"… and {Count(owners.Count - max, "more owner")} ({owners.Skip(max).Sum(o => o.Tasks.Count)} occurrences)");
        }

        return lines;
    }

    private static List<string> StuckLines(WeeklyDigest digest, int max)
    {
        var lines = new List<string>();
        lines.AddRange(digest.StuckReviews.Take(max).Select(r =>
            $"Access review {r.System} {r.Period} ({r.Reviewer}): {r.Decided} of {Count(r.Total, "account")} decided, nothing decided for {Count(r.IdleDays, "day")}, due {Day(r.DueDate)}"));
        lines.AddRange(digest.StuckChanges.Take(max).Select(c =>
            $"Change #{c.Id} \"{c.Title}\" ({c.System}): waiting {Count(c.WaitingDays, "day")}" + (c.WaitingFor.Count > 0 ? $" for {string.Join(", ", c.WaitingFor)}" : "")));
        var hidden = Math.Max(0, digest.StuckReviews.Count - max) + Math.Max(0, digest.StuckChanges.Count - max);
        if (hidden > 0)
        {
            lines.Add($"… and {hidden} more");
        }

        if (digest.Deliveries is { } d && d.NewParked + d.NewUnconfirmed > 0)
        {
            lines.Add($"Deliveries this week: {d.NewParked} failed, {d.NewUnconfirmed} unconfirmed ({d.Total} open in all, GET /api/admin/outbox?status=Parked or Unconfirmed): " +
                List(d.Examples, max));
        }

        return lines;
    }

    /// <summary>
    /// A daily control missed all week is one entry ("AVL-02 ×6"), not six, so it does not crowd out the rest of the list.
    /// Groups keep the order of their oldest occurrence; each group is oldest first.
    /// </summary>
    private static IEnumerable<List<TaskLine>> ByControl(IEnumerable<TaskLine> tasks) =>
        tasks.GroupBy(t => (t.ControlId, t.Owner))
            .Select(g => g.OrderBy(t => t.DueDate).ThenBy(t => t.TaskId).ToList())
            .OrderBy(g => g[0].DueDate).ThenBy(g => g[0].ControlId, StringComparer.Ordinal);

    private static string List(IEnumerable<string> items, int max)
    {
        var all = items.ToList();
        return string.Join(", ", all.Take(max)) + (all.Count > max ? $", and {all.Count - max} more" : "");
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string Percent(double rate) => rate.ToString("P0", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal);

    private static string Day(DateOnly day) => day.ToString("ddd d MMM", CultureInfo.InvariantCulture);
}
