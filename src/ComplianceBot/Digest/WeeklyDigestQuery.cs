using System.Globalization;
using ComplianceBot.AccessReviews;
using ComplianceBot.Attestations;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Digest;

/// <summary>
/// The week-over-week query behind the digest, read straight from the tasks, attestations, access reviews, change
/// requests, the audit trail (occurrences newly marked missed) and the outbox (deliveries that failed). Read-only.
/// </summary>
public sealed class WeeklyDigestQuery(ComplianceDbContext db, IOptions<DigestOptions> options)
{
    private static readonly ControlTaskStatus[] Attested = [ControlTaskStatus.Completed, ControlTaskStatus.CompletedWithExceptions, ControlTaskStatus.NotPerformed];

    /// <param name="now">The end of the week looked at (inclusive: the sweep that sends it has just marked occurrences missed); it starts seven days earlier.</param>
    /// <param name="today">The recipient's local date (overdue days and the trend's weeks count from it).</param>
    /// <param name="team">A manager's team, or null for the whole program.</param>
    public async Task<WeeklyDigest> RunAsync(DateTimeOffset now, DateOnly today, DigestTeam? team, CancellationToken cancellationToken)
    {
        var since = now.AddDays(-7);
        var changes = await ChangesAsync(since, now, team, cancellationToken);
        return new WeeklyDigest(
            since,
            now,
            changes,
            await OverdueAsync(today, team, cancellationToken),
            await StuckReviewsAsync(now, team, cancellationToken),
            await StuckChangesAsync(now, team, cancellationToken),
            team is null ? await DeliveriesAsync(since, cancellationToken) : null,
            await TrendAsync(today, team, cancellationToken));
    }

    private async Task<WeekChanges> ChangesAsync(DateTimeOffset since, DateTimeOffset now, DigestTeam? team, CancellationToken cancellationToken)
    {
        // First attestations only: a correction of an earlier one is not new work done this week.
        var attestations = db.Attestations.AsNoTracking().Where(a => a.AttestedAt >= since && a.AttestedAt <= now && a.SupersedesId == null);
        if (team is not null)
        {
            attestations = attestations.Where(a => team.Members.Contains(a.Task!.AssigneeId));
        }

        var attested = await attestations.OrderBy(a => a.Id)
            .Select(a => new { a.Outcome, Line = new TaskLine(a.TaskId, a.Task!.ControlId, a.Task.Period, a.Task.DueDate, a.Task.Assignee!.Name), a.Task.DaysLate })
            .ToListAsync(cancellationToken);

        // Newly overdue: marked missed this week (the audit trail's occurrence.missed) and still not attested.
        var missedSubjects = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "occurrence.missed" && e.Timestamp >= since && e.Timestamp <= now)
            .Select(e => e.Subject).ToListAsync(cancellationToken);
        var missedIds = missedSubjects.Select(TaskId).OfType<int>().Distinct().ToList();
        var newlyOverdue = new List<TaskLine>();
        foreach (var chunk in missedIds.Chunk(500))
        {
            var tasks = db.ControlTasks.AsNoTracking().Where(t => chunk.Contains(t.Id) && t.Status == ControlTaskStatus.Missed);
            if (team is not null)
            {
                tasks = tasks.Where(t => team.Members.Contains(t.AssigneeId));
            }

            newlyOverdue.AddRange(await tasks.Select(t => new TaskLine(t.Id, t.ControlId, t.Period, t.DueDate, t.Assignee!.Name)).ToListAsync(cancellationToken));
        }

        var decisions = db.AccessReviewItems.AsNoTracking().Where(i => i.DecidedAt >= since && i.DecidedAt <= now);
        var completed = db.AccessReviews.AsNoTracking().Where(r => r.CompletedAt >= since && r.CompletedAt <= now);
        var submitted = db.ChangeRequests.AsNoTracking().Where(c => c.CreatedAt >= since && c.CreatedAt <= now);
        var decided = db.ChangeRequests.AsNoTracking().Where(c => c.DecidedAt >= since && c.DecidedAt <= now);
        if (team is not null)
        {
            decisions = decisions.Where(i => team.Members.Contains(i.AssigneeId));
            completed = completed.Where(r => team.Members.Contains(r.ReviewerId));
            submitted = submitted.Where(c => team.Members.Contains(c.RequesterId));
            decided = decided.Where(c => team.Members.Contains(c.RequesterId));
        }

        var byDecision = await decisions.GroupBy(i => i.Decision).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var byStatus = await decided.GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return new WeekChanges(
            attested.Count,
            attested.Count(a => a.DaysLate > 0),
            [.. attested.Where(a => a.Outcome == AttestationOutcome.PerformedWithExceptions).Select(a => a.Line)],
            [.. attested.Where(a => a.Outcome == AttestationOutcome.NotPerformed).Select(a => a.Line)],
            [.. newlyOverdue.OrderBy(t => t.DueDate).ThenBy(t => t.ControlId, StringComparer.Ordinal)],
            byDecision.GetValueOrDefault(AccessDecision.Keep),
            byDecision.GetValueOrDefault(AccessDecision.Revoke),
            await completed.CountAsync(cancellationToken),
            await submitted.CountAsync(cancellationToken),
            byStatus.GetValueOrDefault(ChangeStatus.Approved),
            byStatus.GetValueOrDefault(ChangeStatus.Rejected));
    }

    private async Task<IReadOnlyList<OverdueOwner>> OverdueAsync(DateOnly today, DigestTeam? team, CancellationToken cancellationToken)
    {
        // The sweep marks an occurrence Missed once its due date passed in its owner's calendar: that is "overdue".
        var overdue = db.ControlTasks.AsNoTracking().Where(t => t.Status == ControlTaskStatus.Missed);
        if (team is not null)
        {
            overdue = overdue.Where(t => team.Members.Contains(t.AssigneeId));
        }

        var rows = await overdue.OrderBy(t => t.DueDate).ThenBy(t => t.Id)
            .Select(t => new
            {
                Line = new TaskLine(t.Id, t.ControlId, t.Period, t.DueDate, t.Assignee!.Name),
                t.Assignee.Email,
                Manager = t.Assignee.Manager == null ? null : t.Assignee.Manager.Name,
            })
            .ToListAsync(cancellationToken);
        return [.. rows.GroupBy(r => r.Email)
            .Select(g => new OverdueOwner(g.First().Line.Owner, g.Key, g.First().Manager, [.. g.Select(r => r.Line)]))
            .OrderByDescending(o => o.Tasks.Count).ThenBy(o => o.Tasks[0].DueDate).ThenBy(o => o.Owner, StringComparer.Ordinal)];
    }

    private async Task<IReadOnlyList<StuckReview>> StuckReviewsAsync(DateTimeOffset now, DigestTeam? team, CancellationToken cancellationToken)
    {
        var open = db.AccessReviews.AsNoTracking().Where(r => r.Status == AccessReviewStatus.InReview);
        if (team is not null)
        {
            open = open.Where(r => team.Members.Contains(r.ReviewerId) || db.AccessReviewItems.Any(i => i.ReviewId == r.Id && team.Members.Contains(i.AssigneeId)));
        }

        var reviews = await open.OrderBy(r => r.DueDate).ThenBy(r => r.Id)
            .Select(r => new
            {
                r.Id, r.SystemName, r.Period, Reviewer = r.Reviewer!.Name, r.DueDate, r.CreatedAt,
                Total = db.AccessReviewItems.Count(i => i.ReviewId == r.Id),
                Decided = db.AccessReviewItems.Count(i => i.ReviewId == r.Id && (i.Decision == AccessDecision.Keep || i.Decision == AccessDecision.Revoke)),
            })
            .ToListAsync(cancellationToken);
        var stuck = new List<StuckReview>();
        foreach (var review in reviews.Where(r => r.Decided < r.Total))
        {
            var lastDecision = await db.AccessReviewItems.AsNoTracking().Where(i => i.ReviewId == review.Id && i.DecidedAt != null)
                .OrderByDescending(i => i.DecidedAt).Select(i => i.DecidedAt).FirstOrDefaultAsync(cancellationToken);
            var idle = (int)(now - (lastDecision ?? review.CreatedAt)).TotalDays;
            if (idle >= options.Value.StuckReviewDays)
            {
                stuck.Add(new StuckReview(review.Id, review.SystemName, review.Period, review.Reviewer, review.Decided, review.Total, review.DueDate, idle));
            }
        }

        return stuck;
    }

    private async Task<IReadOnlyList<StuckChange>> StuckChangesAsync(DateTimeOffset now, DigestTeam? team, CancellationToken cancellationToken)
    {
        var before = now.AddDays(-options.Value.StuckChangeDays);
        var waiting = db.ChangeRequests.AsNoTracking().Where(c => c.Status == ChangeStatus.Pending && c.CreatedAt <= before);
        if (team is not null)
        {
            waiting = waiting.Where(c => team.Members.Contains(c.RequesterId) || c.Approvers.Any(a => a.PersonId == team.ManagerId || team.Members.Contains(a.PersonId)));
        }

        var changes = await waiting.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .Include(c => c.Approvers).ThenInclude(a => a.Person).Include(c => c.Decisions)
            .AsSplitQuery().ToListAsync(cancellationToken);
        return [.. changes.Select(c => new StuckChange(c.Id, c.Title, c.System, (int)(now - c.CreatedAt).TotalDays,
            [.. c.UndecidedApprovers().Select(a => a.Person?.Name ?? "?")]))];
    }

    private async Task<DeliveryTrouble> DeliveriesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var failed = db.Outbox.AsNoTracking().Where(m => m.Status == OutboxStatus.Parked || m.Status == OutboxStatus.Unconfirmed);
        var fresh = await failed.Where(m => m.CreatedAt >= since).OrderBy(m => m.Id)
            .Select(m => new { m.Status, m.Topic, m.Subject, Recipient = m.Recipient == null ? m.ChannelName : m.Recipient.Name })
            .ToListAsync(cancellationToken);
        return new DeliveryTrouble(
            fresh.Count(m => m.Status == OutboxStatus.Parked),
            fresh.Count(m => m.Status == OutboxStatus.Unconfirmed),
            await failed.CountAsync(cancellationToken),
            [.. fresh.Select(m => $"{m.Topic} about {m.Subject} to {m.Recipient ?? "an integration"} ({(m.Status == OutboxStatus.Parked ? "failed" : "unconfirmed")})")]);
    }

    private async Task<IReadOnlyList<WeekOnTime>> TrendAsync(DateOnly today, DigestTeam? team, CancellationToken cancellationToken)
    {
        // Whole ISO weeks before this one, by due date: of what fell due, how much was attested by then.
        var thisMonday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var first = thisMonday.AddDays(-7 * Math.Max(1, options.Value.TrendWeeks));
        var due = db.ControlTasks.AsNoTracking()
            .Where(t => t.DueDate >= first && t.DueDate < thisMonday && t.Status != ControlTaskStatus.NotApplicable && t.Status != ControlTaskStatus.Retired);
        if (team is not null)
        {
            due = due.Where(t => team.Members.Contains(t.AssigneeId));
        }

        var days = await due.GroupBy(t => t.DueDate)
            .Select(g => new { Day = g.Key, Due = g.Count(), OnTime = g.Count(t => Attested.Contains(t.Status) && (t.DaysLate == null || t.DaysLate <= 0)) })
            .ToListAsync(cancellationToken);
        return [.. Enumerable.Range(0, thisMonday.DayNumber - first.DayNumber).Where(d => d % 7 == 0).Select(d => first.AddDays(d))
            .Select(monday => days.Where(x => x.Day >= monday && x.Day < monday.AddDays(7)).Aggregate(new WeekOnTime(monday, 0, 0), (w, x) => w with { Due = w.Due + x.Due, OnTime = w.OnTime + x.OnTime }))];
    }

    private static int? TaskId(string subject) =>
        subject.StartsWith("task:", StringComparison.Ordinal) && int.TryParse(subject.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
