using System.Globalization;
using ComplianceBot.AccessReviews;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Conversations;
using ComplianceBot.People;
using ComplianceBot.Tasks;

namespace ComplianceBot.ProgramStatus;

/// <summary>
/// "status", by role: compliance admins and auditors get the program (with drill-down buttons), managers their team,
/// everyone else their own work. Every number comes from <see cref="ProgramStatusQuery"/>, like the API and the dashboard.
/// </summary>
public sealed class StatusFlow(ProgramStatusQuery status) : IFlow
{
    public const string FlowName = "status";
    public const string ShowAction = "status.show";
    public const string ProgramAction = "status.program";
    public const string TeamAction = "status.team";
    public const string MineAction = "status.mine";
    public const string OverdueAction = "status.overdue";
    public const string ControlsAction = "status.controls";
    public const string ReviewsAction = "status.reviews";
    public const string ChangesAction = "status.changes";
    public const string DeliveriesAction = "status.deliveries";

    /// <summary>The Slack App Home's status block: the program for admins, the team for managers, nothing for everyone else.</summary>
    public const string HomeAction = "status.home";

    public const string PeriodKey = "period";
    private const int Shown = 8;

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["status", "program status", "compliance status", "my team", "team status", "my team status"];

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        var actionId = context.Action?.Id ?? (context.Turn.Text?.Trim().ToLowerInvariant() is "my team" or "team status" or "my team status" ? TeamAction : ShowAction);
        var seesProgram = person.Has(PersonRoles.ComplianceAdmin) || person.Has(PersonRoles.Auditor);
        var period = ParsePeriod(context.Action?.Get(PeriodKey));

        switch (actionId)
        {
            case ShowAction:
                return [seesProgram ? await ProgramAsync(period, cancellationToken)
                    : await status.ManagesAnyoneAsync(person, cancellationToken) ? await TeamAsync(person, cancellationToken) : await MineAsync(person, cancellationToken)];
            case HomeAction:
                return seesProgram ? [await ProgramAsync(period, cancellationToken)]
                    : await status.ManagesAnyoneAsync(person, cancellationToken) ? [await TeamAsync(person, cancellationToken)] : [];
            case TeamAction:
                if (await status.ManagesAnyoneAsync(person, cancellationToken))
                {
                    return [await TeamAsync(person, cancellationToken)];
                }

                return [seesProgram ? await ProgramAsync(period, cancellationToken) : await MineAsync(person, cancellationToken, "Nobody reports to you in the directory, so here is your own work.")];
            case MineAction:
                return [await MineAsync(person, cancellationToken)];
        }

        if (!seesProgram)
        {
            return [new Reply("The program-wide view is for compliance admins and auditors. Here is yours instead: type \"status\".") { Actions = [new ReplyAction(ShowAction, "My status")] }];
        }

        return actionId switch
        {
            OverdueAction => [await OverdueAsync(cancellationToken)],
            ControlsAction => [await ControlsAsync(period, cancellationToken)],
            ReviewsAction => [await ReviewsAsync(period, cancellationToken)],
            ChangesAction => [await ChangesAsync(period, cancellationToken)],
            DeliveriesAction => [await DeliveriesAsync(period, cancellationToken)],
            _ => [await ProgramAsync(period, cancellationToken)],
        };
    }

    private StatusPeriod ParsePeriod(string? text) => status.ParsePeriod(text, out _) ?? status.CurrentPeriod;

    private async Task<Reply> ProgramAsync(StatusPeriod period, CancellationToken cancellationToken)
    {
        var report = await status.ReportAsync(period, cancellationToken);
        var t = report.Totals;
        var longest = report.Changes.WaitingChanges.Count == 0 ? "" : $" (longest {Hours(report.Changes.WaitingChanges.Max(c => c.HoursWaiting))})";
        var behind = report.AccessReviews.Count(r => r.Status == nameof(AccessReviewStatus.InReview) && r.DaysToDue < 0);
        var text = $"{Percent(t)} of expected occurrences performed ({t.Done} of {t.Expected}); {t.Missed} missed, {t.NotPerformed} not performed, {t.Open} still open. " +
            $"{Plural(report.OverdueByOwner.Count, "person has", "people have")} overdue work. " +
            $"{Plural(report.AccessReviews.Count(r => r.Status == nameof(AccessReviewStatus.InReview)), "access review")} in progress{(behind > 0 ? $", {behind} past due" : "")}. " +
            $"{Plural(report.Changes.Waiting, "change")} waiting for approval{longest}. " +
            $"Deliveries: {report.Deliveries.Failed} failed, {report.Deliveries.Unconfirmed} unconfirmed.";
        var data = new Dictionary<string, string> { [PeriodKey] = report.Period };
        return new Reply(text)
        {
            Title = $"Program status — {report.Period}",
            Fields = [.. report.Categories.Select(c => new ReplyField(c.Category, $"{c.Counts.Done}/{c.Counts.Expected} performed, {c.Counts.Missed} missed ({Percent(c.Counts)})"))],
            Items = [.. report.OverdueByOwner.Take(Shown).Select(o => new ReplyItem($"{o.Name} — {Plural(o.Overdue, "overdue occurrence")}, up to {Plural(o.MostDaysOverdue, "day")} late ({string.Join(", ", o.Controls.Take(4))})")
            {
                Fields = o.ManagerName is null ? [] : [new ReplyField("Manager", o.ManagerName)],
            })],
            Actions =
            [
                new ReplyAction(OverdueAction, "Overdue by owner", data, ActionStyle.Primary),
                new ReplyAction(ControlsAction, "Controls behind", data),
                new ReplyAction(ReviewsAction, "Access reviews", data),
                new ReplyAction(ChangesAction, "Changes waiting", data),
                new ReplyAction(DeliveriesAction, "Delivery problems", data),
            ],
        };
    }

    private async Task<Reply> OverdueAsync(CancellationToken cancellationToken)
    {
        var owners = await status.OverdueByOwnerAsync(null, cancellationToken);
        if (owners.Count == 0)
        {
            return new Reply("Nobody has overdue control work right now.") { Title = "Overdue by owner" };
        }

        return new Reply($"{Plural(owners.Sum(o => o.Overdue), "overdue occurrence")} across {Plural(owners.Count, "person", "people")}, most overdue first.")
        {
            Title = "Overdue by owner",
            Items = [.. owners.Take(ProgramStatusQuery.ListLimit).Select(o => new ReplyItem($"{o.Name} ({o.Email}) — {o.Overdue} overdue, up to {Plural(o.MostDaysOverdue, "day")} late")
            {
                Fields = [new ReplyField("Controls", string.Join(", ", o.Controls)), new ReplyField("Manager", o.ManagerName is null ? "—" : $"{o.ManagerName} ({o.ManagerEmail})")],
            })],
        };
    }

    private async Task<Reply> ControlsAsync(StatusPeriod period, CancellationToken cancellationToken)
    {
        var controls = await status.ControlsAsync(period, status.Today, cancellationToken);
        var behind = controls.Where(c => c.Counts.Missed + c.Counts.NotPerformed > 0)
            .OrderByDescending(c => c.Counts.Missed + c.Counts.NotPerformed).ThenBy(c => c.ControlId, StringComparer.Ordinal).ToList();
        var text = behind.Count == 0
            ? $"No control has a missed or not-performed occurrence in {period.Label}."
            : $"{Plural(behind.Count, "control")} with missed or not-performed occurrences in {period.Label}.";
        return new Reply(text)
        {
            Title = $"Controls behind — {period.Label}",
            Items = [.. behind.Take(ProgramStatusQuery.ListLimit).Select(c => new ReplyItem(
                $"{c.ControlId} {c.Title} — {c.Counts.Done}/{c.Counts.Expected} performed, {c.Counts.Missed} missed, {c.Counts.NotPerformed} not performed")
            {
                Fields = [new ReplyField("Owner", c.OwnerName), new ReplyField("Frequency", c.Frequency)],
            })],
        };
    }

    private async Task<Reply> ReviewsAsync(StatusPeriod period, CancellationToken cancellationToken)
    {
        var reviews = await status.ReviewsAsync(period, null, cancellationToken);
        return new Reply(reviews.Count == 0 ? "No access review is open or due in this period." : $"{Plural(reviews.Count, "access review")}, soonest due first.")
        {
            Title = $"Access reviews — {period.Label}",
            Items = [.. reviews.Take(ProgramStatusQuery.ListLimit).Select(r => new ReplyItem($"{r.System} {r.Period} — {r.Decided}/{r.Accounts} decided, {r.Undecided} undecided, {DueIn(r.DaysToDue)}")
            {
                Fields = [new ReplyField("Reviewer", r.ReviewerName), new ReplyField("Status", Words(r.Status)), new ReplyField("Open revocations", r.OpenRevocations.ToString(CultureInfo.InvariantCulture))],
            })],
        };
    }

    private async Task<Reply> ChangesAsync(StatusPeriod period, CancellationToken cancellationToken)
    {
        var changes = await status.ChangesAsync(period, cancellationToken);
        var lead = changes.MedianLeadHours is { } median
            ? $" Decided in {period.Label}: {changes.Approved} approved, {changes.Rejected} rejected; median lead time {Hours(median)}, 90th percentile {Hours(changes.P90LeadHours ?? median)}."
            : $" Nothing was decided in {period.Label} yet.";
        return new Reply($"{Plural(changes.Waiting, "change")} waiting for approval.{lead}")
        {
            Title = "Change approvals",
            Items = [.. changes.WaitingChanges.Take(ProgramStatusQuery.ListLimit).Select(c => new ReplyItem($"#{c.Id} {c.Title} ({c.System}, {c.Risk} risk) — waiting {Hours(c.HoursWaiting)}")
            {
                Fields = [new ReplyField("Requested by", c.RequesterEmail), new ReplyField("Waiting on", c.WaitingOn.Count == 0 ? "—" : string.Join(", ", c.WaitingOn))],
            })],
        };
    }

    private async Task<Reply> DeliveriesAsync(StatusPeriod period, CancellationToken cancellationToken)
    {
        var health = await status.DeliveriesAsync(period, cancellationToken);
        var pending = health.OldestPendingMinutes is { } minutes ? $"{health.Pending} pending (oldest {Math.Round(minutes)} min)" : "nothing pending";
        return new Reply($"{health.SentInPeriod} delivered in {period.Label}; {health.Failed} failed, {health.Unconfirmed} unconfirmed; {pending}.")
        {
            Title = "Reminder delivery",
            Items = [.. health.Problems.Take(ProgramStatusQuery.ListLimit).Select(p => new ReplyItem($"{Words(p.Status)}: {p.Topic} to {p.To ?? "?"} ({p.Subject}), {Plural(p.Attempts, "attempt")}")
            {
                Fields = p.LastError is null ? [] : [new ReplyField("Last error", p.LastError)],
            })],
        };
    }

    private async Task<Reply> TeamAsync(Person manager, CancellationToken cancellationToken)
    {
        var team = await status.TeamAsync(manager, cancellationToken);
        var undecided = team.Reviews.Where(r => r.Status == nameof(AccessReviewStatus.InReview)).ToList();
        var text = $"{Plural(team.Reports, "person reports", "people report")} to you. {Plural(team.OpenTasks, "open task")} on the team, " +
            $"{Plural(team.OverdueTasks.Count, "overdue")}; {Plural(undecided.Count, "access review")} still in progress.";
        return new Reply(text)
        {
            Title = "My team",
            Items =
            [
                .. team.OverdueTasks.Take(Shown).Select(t => new ReplyItem($"{t.AssigneeName}: {t.ControlId} {t.ControlTitle} — {t.Period}, overdue by {Plural(t.DaysOverdue ?? 0, "day")}")),
                .. undecided.Take(Shown).Select(r => new ReplyItem($"{r.ReviewerName}: {r.System} access review {r.Period} — {r.Undecided} of {r.Accounts} undecided, {DueIn(r.DaysToDue)}")),
            ],
            Actions = [new ReplyAction(MineAction, "My own status"), new ReplyAction(MyTasksFlow.ListAction, "My tasks")],
        };
    }

    private async Task<Reply> MineAsync(Person person, CancellationToken cancellationToken, string? preface = null)
    {
        var mine = await status.MineAsync(person, cancellationToken);
        var next = mine.NextDue is { } due ? $", next due {due.ToString("d MMM", CultureInfo.InvariantCulture)}" : "";
        var text = $"You have {Plural(mine.OpenTasks, "open task")} ({mine.OverdueTasks} overdue{next}), {Plural(mine.ReviewsWaiting, "access review")} and " +
            $"{Plural(mine.RevocationsWaiting, "revocation")} waiting for you, and {Plural(mine.ApprovalsWaiting, "change")} to approve.";
        List<ReplyAction> actions = [new(MyTasksFlow.ListAction, "My tasks", Style: mine.OverdueTasks > 0 ? ActionStyle.Primary : ActionStyle.Default)];
        if (mine.ReviewsWaiting + mine.RevocationsWaiting > 0)
        {
            actions.Add(new ReplyAction(AccessReviewFlow.ListAction, "Access reviews"));
        }

        if (mine.ApprovalsWaiting > 0)
        {
            actions.Add(new ReplyAction(ChangeApprovalFlow.ListAction, "Approvals"));
        }

        return new Reply(preface is null ? text : $"{preface} {text}") { Title = "My status", Actions = actions };
    }

    private static string Percent(OccurrenceCounts counts) => counts.PercentDone is { } percent ? $"{percent}%" : "n/a";

    private static string Plural(int count, string singular, string? plural = null) =>
        $"{count} {(count == 1 ? singular : plural ?? (singular.EndsWith("overdue", StringComparison.Ordinal) ? singular : singular + "s"))}";

    private static string Hours(double hours) => hours >= 48 ? $"{Math.Round(hours / 24, 1).ToString(CultureInfo.InvariantCulture)} days" : $"{Math.Round(hours, 1).ToString(CultureInfo.InvariantCulture)} h";

    private static string DueIn(int days) => days switch
    {
        < 0 => $"overdue by {Plural(-days, "day")}",
        0 => "due today",
        _ => $"due in {Plural(days, "day")}",
    };

    private static string Words(string pascal) => string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));
}
