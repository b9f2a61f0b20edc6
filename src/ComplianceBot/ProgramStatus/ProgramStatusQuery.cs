using ComplianceBot.AccessReviews;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.ProgramStatus;

/// <summary>
/// The one place program status is computed: the admin API, the dashboard and chat all read it here, so their numbers
/// agree. Counting happens in the database (grouped), so 100k occurrences cost one grouped scan, not 100k rows.
/// </summary>
public sealed class ProgramStatusQuery(ComplianceDbContext db, ProgramProfileHolder profile, TimeProvider clock)
{
    /// <summary>How many rows a section lists in full (counts are always complete).</summary>
    public const int ListLimit = 50;

    private static readonly ControlTaskStatus[] Awaiting = ControlTask.AwaitingStatuses;

    /// <summary>Today in UTC: program-wide questions are not about one person's calendar.</summary>
    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public StatusPeriod CurrentPeriod => StatusPeriod.QuarterOf(Today);

    /// <summary>The period named by <paramref name="text"/>, the current quarter when empty; null with <paramref name="problem"/> when unusable.</summary>
    public StatusPeriod? ParsePeriod(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return CurrentPeriod;
        }

        var program = profile.Current;
        if (StatusPeriod.TryParse(text, Today, program.PeriodStart, program.PeriodEnd, out var period))
        {
            return period;
        }

        problem = $"Unknown period '{text}'. {StatusPeriod.Hint}";
        return null;
    }

    public async Task<ProgramStatusReport> ReportAsync(StatusPeriod period, CancellationToken cancellationToken)
    {
        var today = Today;
        var controls = await ControlsAsync(period, today, cancellationToken);
        var categories = controls
            .SelectMany(c => c.Categories.Select(category => (category, c.Counts)))
            .GroupBy(x => x.category)
            .Select(g => new CategoryStatus(g.Key, g.Count(), g.Aggregate(OccurrenceCounts.Zero, (sum, x) => sum.Add(x.Counts))))
            .OrderBy(c => c.Category, StringComparer.Ordinal)
            .ToList();
        var totals = controls.Aggregate(OccurrenceCounts.Zero, (sum, c) => sum.Add(c.Counts));
        return new ProgramStatusReport(
            period.Label, period.Start, period.End, today, clock.GetUtcNow(), totals, categories, controls,
            await OverdueByOwnerAsync(null, cancellationToken),
            await ReviewsAsync(period, null, cancellationToken),
            await ChangesAsync(period, cancellationToken),
            await DeliveriesAsync(period, cancellationToken));
    }

    /// <summary>Per control: its occurrences in the period, counted by outcome in one grouped query.</summary>
    public async Task<List<ControlStatusRow>> ControlsAsync(StatusPeriod period, DateOnly today, CancellationToken cancellationToken)
    {
        var (start, end) = (period.Start, period.End);
        var groups = await db.ControlTasks.AsNoTracking()
            .Where(t => t.PeriodEnd >= start && t.PeriodEnd <= end && t.Status != ControlTaskStatus.Retired)
            .GroupBy(t => new { t.ControlId, t.Status, Late = t.DaysLate > 0, PastDue = t.DueDate < today })
            .Select(g => new { g.Key.ControlId, g.Key.Status, g.Key.Late, g.Key.PastDue, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var byControl = groups.GroupBy(g => g.ControlId).ToDictionary(g => g.Key, g => Count(g.Select(x => (x.Status, x.Late, x.PastDue, x.Count))));

        var categoryOf = await db.Criteria.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Category, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var rows = await db.Controls.AsNoTracking().Include(c => c.Owner).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        return [.. rows.Where(c => !c.Retired || byControl.ContainsKey(c.Id)).Select(c => new ControlStatusRow(
            c.Id, c.Title, c.Frequency.ToString().ToLowerInvariant(), c.Owner?.Email ?? "", c.Owner?.Name ?? "",
            CategoriesOf(c.Criteria, categoryOf),
            byControl.GetValueOrDefault(c.Id) ?? OccurrenceCounts.Zero))];
    }

    /// <summary>People with unattested occurrences past due (any period), most overdue first; <paramref name="managerId"/> narrows to one manager's reports.</summary>
    public async Task<List<OverdueOwner>> OverdueByOwnerAsync(int? managerId, CancellationToken cancellationToken)
    {
        var today = Today;
        var overdue = db.ControlTasks.AsNoTracking().Where(t => Awaiting.Contains(t.Status) && t.DueDate < today);
        if (managerId is { } id)
        {
            overdue = overdue.Where(t => t.Assignee!.ManagerId == id);
        }

        var perPerson = await overdue.GroupBy(t => t.AssigneeId)
            .Select(g => new { PersonId = g.Key, Count = g.Count(), Oldest = g.Min(t => t.DueDate) })
            .ToListAsync(cancellationToken);
        if (perPerson.Count == 0)
        {
            return [];
        }

        var ids = perPerson.Select(p => p.PersonId).ToList();
        var people = await db.People.AsNoTracking().Include(p => p.Manager).Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var controls = (await overdue.Select(t => new { t.AssigneeId, t.ControlId }).Distinct().ToListAsync(cancellationToken))
            .GroupBy(x => x.AssigneeId).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(x => x.ControlId).Order(StringComparer.Ordinal)]);
        return [.. perPerson
            .Select(p => (p, person: people[p.PersonId]))
            .Select(x => new OverdueOwner(x.person.Email, x.person.Name, x.person.Manager?.Email, x.person.Manager?.Name, x.p.Count,
                today.DayNumber - x.p.Oldest.DayNumber, controls.GetValueOrDefault(x.p.PersonId) ?? []))
            .OrderByDescending(o => o.Overdue).ThenByDescending(o => o.MostDaysOverdue).ThenBy(o => o.Email, StringComparer.Ordinal)];
    }

    /// <summary>Reviews still in progress, plus those due in the period; <paramref name="reviewerManagerId"/> narrows to one manager's reports.</summary>
    public async Task<List<ReviewProgress>> ReviewsAsync(StatusPeriod? period, int? reviewerManagerId, CancellationToken cancellationToken)
    {
        var query = db.AccessReviews.AsNoTracking();
        query = period is { } p
            ? query.Where(r => r.Status != AccessReviewStatus.Completed || (r.DueDate >= p.Start && r.DueDate <= p.End))
            : query.Where(r => r.Status != AccessReviewStatus.Completed);
        if (reviewerManagerId is { } managerId)
        {
            query = query.Where(r => r.Reviewer!.ManagerId == managerId);
        }

        var reviews = await query.OrderBy(r => r.DueDate).ThenBy(r => r.SystemName).Select(r => r.Id).ToListAsync(cancellationToken);
        return await ProgressAsync(reviews, cancellationToken);
    }

    /// <summary>Progress of the given reviews, in the given order: decided and undecided accounts, open revocations, days to due.</summary>
    public async Task<List<ReviewProgress>> ProgressAsync(IReadOnlyList<int> ids, CancellationToken cancellationToken)
    {
        var today = Today;
        var reviews = (await db.AccessReviews.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new { r.Id, r.SystemName, r.Period, r.Reviewer!.Email, r.Reviewer.Name, r.Status, r.AccountCount, r.DueDate })
            .ToListAsync(cancellationToken)).ToDictionary(r => r.Id);
        var decided = await db.AccessReviewItems.AsNoTracking()
            .Where(i => ids.Contains(i.ReviewId) && (i.Decision == AccessDecision.Keep || i.Decision == AccessDecision.Revoke))
            .GroupBy(i => i.ReviewId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var revocations = await db.AccessRevocations.AsNoTracking()
            .Where(r => ids.Contains(r.ReviewId) && r.ConfirmedAt == null)
            .GroupBy(r => r.ReviewId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return [.. ids.Where(reviews.ContainsKey).Select(id =>
        {
            var r = reviews[id];
            var done = decided.GetValueOrDefault(r.Id);
            return new ReviewProgress(r.Id, r.SystemName, r.Period, r.Email, r.Name, r.Status.ToString(), r.AccountCount, done, r.AccountCount - done,
                revocations.GetValueOrDefault(r.Id), r.DueDate, r.DueDate.DayNumber - today.DayNumber);
        })];
    }

    /// <summary>Changes waiting now (longest first), and lead times of those decided in the period.</summary>
    public async Task<ChangeApprovalStatus> ChangesAsync(StatusPeriod period, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var waiting = await db.ChangeRequests.AsNoTracking().AsSplitQuery().Include(c => c.Requester).Include(c => c.Approvers).ThenInclude(a => a.Person).Include(c => c.Decisions)
            .Where(c => c.Status == ChangeStatus.Pending).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken);
        var from = new DateTimeOffset(period.Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var until = new DateTimeOffset(period.End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var decided = await db.ChangeRequests.AsNoTracking()
            .Where(c => c.DecidedAt != null && c.DecidedAt >= from && c.DecidedAt < until)
            .Select(c => new { c.Status, c.CreatedAt, DecidedAt = c.DecidedAt!.Value })
            .ToListAsync(cancellationToken);
        var leads = decided.Where(c => c.Status is ChangeStatus.Approved or ChangeStatus.Rejected)
            .Select(c => (c.DecidedAt - c.CreatedAt).TotalHours).Order().ToList();
        return new ChangeApprovalStatus(
            waiting.Count,
            [.. waiting.Select(c => new WaitingChange(c.Id, c.Title, c.System, c.Risk.ToString().ToLowerInvariant(), c.Requester!.Email, c.CreatedAt,
                Math.Round((now - c.CreatedAt).TotalHours, 1), [.. c.UndecidedApprovers().Select(a => a.Person!.Email)]))],
            decided.Count(c => c.Status == ChangeStatus.Approved), decided.Count(c => c.Status == ChangeStatus.Rejected), decided.Count(c => c.Status == ChangeStatus.Expired),
            Percentile(leads, 0.5), Percentile(leads, 0.9), leads.Count == 0 ? null : Math.Round(leads[^1], 1));
    }

    /// <summary>The outbox's view of delivery: what failed or is in doubt now, what is pending, what was sent in the period.</summary>
    public async Task<DeliveryHealth> DeliveriesAsync(StatusPeriod period, CancellationToken cancellationToken)
    {
        var from = new DateTimeOffset(period.Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var until = new DateTimeOffset(period.End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var counts = await db.Outbox.AsNoTracking().Where(m => m.Status != OutboxStatus.Sent && m.Status != OutboxStatus.Superseded)
            .GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var sent = await db.Outbox.AsNoTracking().CountAsync(m => m.Status == OutboxStatus.Sent && m.SentAt >= from && m.SentAt < until, cancellationToken);
        var oldestPending = await db.Outbox.AsNoTracking().Where(m => m.Status == OutboxStatus.Pending)
            .OrderBy(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        var problems = await db.Outbox.AsNoTracking().Where(m => m.Status == OutboxStatus.Parked || m.Status == OutboxStatus.Unconfirmed)
            .OrderByDescending(m => m.Id).Take(ListLimit)
            .Select(m => new FailedDelivery(m.Id, m.Topic, m.Subject, m.Recipient == null ? m.ChannelName : m.Recipient.Email, m.Status.ToString(), m.Attempts, m.CreatedAt, m.LastError))
            .ToListAsync(cancellationToken);
        return new DeliveryHealth(sent, counts.GetValueOrDefault(OutboxStatus.Parked), counts.GetValueOrDefault(OutboxStatus.Unconfirmed), counts.GetValueOrDefault(OutboxStatus.Pending),
            oldestPending is { } oldest ? Math.Round((clock.GetUtcNow() - oldest).TotalMinutes, 1) : null, problems);
    }

    /// <summary>Occurrences matching <paramref name="query"/>, due soonest first.</summary>
    public async Task<List<TaskRow>> TasksAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        var today = Today;
        var tasks = db.ControlTasks.AsNoTracking();
        if (query.Period is { } period)
        {
            tasks = tasks.Where(t => t.PeriodEnd >= period.Start && t.PeriodEnd <= period.End);
        }

        if (query.OverdueOnly)
        {
            tasks = tasks.Where(t => Awaiting.Contains(t.Status) && t.DueDate < today);
        }

        if (query.Status is { } status)
        {
            tasks = tasks.Where(t => t.Status == status);
        }

        if (query.DueBefore is { } dueBefore)
        {
            tasks = tasks.Where(t => t.DueDate < dueBefore);
        }

        if (query.OwnerEmail is { } owner)
        {
            tasks = tasks.Where(t => t.Assignee!.Email == owner);
        }

        if (query.ManagerEmail is { } manager)
        {
            tasks = tasks.Where(t => t.Assignee!.Manager!.Email == manager);
        }

        var rows = await tasks.OrderBy(t => t.DueDate).ThenBy(t => t.ControlId).ThenBy(t => t.Id).Take(query.Take)
            .Select(t => new
            {
                t.Id, t.ControlId, ControlTitle = t.Control!.Title, t.Period, t.PeriodStart, t.PeriodEnd, t.DueDate,
                t.Assignee!.Email, t.Assignee.Name, Manager = t.Assignee.Manager == null ? null : t.Assignee.Manager.Email, t.Status, t.DaysLate,
            })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(t => new TaskRow(t.Id, t.ControlId, t.ControlTitle, t.Period, t.PeriodStart, t.PeriodEnd, t.DueDate, t.Email, t.Name, t.Manager,
            t.Status.ToString(), t.Status is ControlTaskStatus.Open or ControlTaskStatus.Missed && t.DueDate < today ? today.DayNumber - t.DueDate.DayNumber : null, t.DaysLate))];
    }

    /// <summary>The person's own work, in their own calendar (as "my tasks" counts it).</summary>
    public async Task<PersonalStatus> MineAsync(Person person, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(person.LocalTime(clock.GetUtcNow()).DateTime);
        var open = db.ControlTasks.AsNoTracking().Where(t => t.AssigneeId == person.Id && Awaiting.Contains(t.Status) && t.PeriodStart <= today);
        var counts = await open.GroupBy(t => 1)
            .Select(g => new { Open = g.Count(), Overdue = g.Count(t => t.DueDate < today), Next = g.Min(t => t.DueDate) })
            .SingleOrDefaultAsync(cancellationToken);
        var reviews = await db.AccessReviews.AsNoTracking().CountAsync(r => r.Status == AccessReviewStatus.InReview &&
            (r.ReviewerId == person.Id || db.AccessReviewItems.Any(i => i.ReviewId == r.Id && i.AssigneeId == person.Id && i.Decision != AccessDecision.Keep && i.Decision != AccessDecision.Revoke)), cancellationToken);
        var revocations = await db.AccessRevocations.AsNoTracking().CountAsync(r => r.AssigneeId == person.Id && r.ConfirmedAt == null, cancellationToken);
        var approvals = await db.ChangeRequests.AsNoTracking().CountAsync(c => c.Status == ChangeStatus.Pending &&
            c.Approvers.Any(a => a.PersonId == person.Id) && !c.Decisions.Any(d => d.ApproverId == person.Id), cancellationToken);
        return new PersonalStatus(counts?.Open ?? 0, counts?.Overdue ?? 0, counts?.Next, reviews, revocations, approvals);
    }

    /// <summary>A manager's team: overdue work of their active reports, and the reviews those reports still have open.</summary>
    public async Task<TeamStatus> TeamAsync(Person manager, CancellationToken cancellationToken)
    {
        var today = Today;
        var reports = await db.People.AsNoTracking().CountAsync(p => p.ManagerId == manager.Id && p.Status == PersonStatus.Active, cancellationToken);
        var overdue = await OverdueByOwnerAsync(manager.Id, cancellationToken);
        var tasks = await TasksAsync(new TaskQuery(OverdueOnly: true, ManagerEmail: manager.Email, Take: ListLimit), cancellationToken);
        var open = await db.ControlTasks.AsNoTracking().CountAsync(t => t.Assignee!.ManagerId == manager.Id && Awaiting.Contains(t.Status) && t.PeriodStart <= today, cancellationToken);
        return new TeamStatus(reports, overdue, tasks, await ReviewsAsync(null, manager.Id, cancellationToken), open);
    }

    /// <summary>Whether the person manages anyone active (then "my team" is theirs).</summary>
    public Task<bool> ManagesAnyoneAsync(Person person, CancellationToken cancellationToken) =>
        db.People.AnyAsync(p => p.ManagerId == person.Id && p.Status == PersonStatus.Active, cancellationToken);

    private static OccurrenceCounts Count(IEnumerable<(ControlTaskStatus Status, bool Late, bool PastDue, int Count)> groups)
    {
        int performed = 0, exceptions = 0, notPerformed = 0, missed = 0, open = 0, late = 0, notApplicable = 0;
        foreach (var (status, isLate, pastDue, count) in groups)
        {
            switch (status)
            {
                case ControlTaskStatus.Completed: performed += count; break;
                case ControlTaskStatus.CompletedWithExceptions: exceptions += count; break;
                case ControlTaskStatus.NotPerformed: notPerformed += count; break;
                case ControlTaskStatus.Missed: missed += count; break;
                case ControlTaskStatus.Open when pastDue: missed += count; break;
                case ControlTaskStatus.Open: open += count; break;
                case ControlTaskStatus.NotApplicable: notApplicable += count; break;
            }

            if (isLate && status is ControlTaskStatus.Completed or ControlTaskStatus.CompletedWithExceptions or ControlTaskStatus.NotPerformed)
            {
                late += count;
            }
        }

        return new(performed + exceptions + notPerformed + missed + open, performed, exceptions, notPerformed, missed, open, late, notApplicable);
    }

    /// <summary>The distinct categories of a control's criteria; "Other" when none is a known criterion.</summary>
    private static List<string> CategoriesOf(List<string> criteria, Dictionary<string, string> categoryOf)
    {
        List<string> categories = [.. criteria.Select(id => categoryOf.GetValueOrDefault(id)).OfType<string>().Distinct().Order(StringComparer.Ordinal)];
        return categories.Count > 0 ? categories : ["Other"];
    }

    private static double? Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 1);
}
