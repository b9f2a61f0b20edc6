using System.Globalization;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

/// <summary>What an admin confirms when starting a draft: the control it evidences and its reviewer, named explicitly.</summary>
public sealed record StartReview(string? Control, string? Reviewer, string? Override);

/// <summary>Starting a draft review (bind, tell the reviewer, plan reminders) and cancelling a review, each audited.</summary>
public sealed class AccessReviewLifecycle(
    ComplianceDbContext db,
    AccessReviewImporter importer,
    AuditTrail audit,
    OutboxWriter outbox,
    AccessReviewReminders reminders,
    TimeProvider clock)
{
    /// <summary>
    /// Binds the draft to the named control (which must be the system's <c>evidenced_by: access_review</c> control) and
    /// reviewer, then opens it: only now does anyone get a DM.
    /// </summary>
    public async Task<AccessReview> StartAsync(int reviewId, StartReview request, string actor, CancellationToken cancellationToken)
    {
        var review = await db.AccessReviews.Include(r => r.Reviewer).SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken)
            ?? throw new AccessReviewImportException($"No access review {reviewId}.", notFound: true);
        if (!review.IsDraft)
        {
            throw new AccessReviewImportException($"The {review.SystemName} review for {review.Period} is {review.Status.ToString().ToLowerInvariant()}; only a draft can be started.", conflict: true);
        }

        if (string.IsNullOrWhiteSpace(request.Control) || string.IsNullOrWhiteSpace(request.Reviewer))
        {
            // Binding is never implied: the proposal is named so the admin can confirm it in one step.
            throw new AccessReviewImportException(
                $"Name the control and the reviewer to start the {review.SystemName} review for {review.Period}: proposed control {review.ControlId}, reviewer {review.Reviewer!.Email}.",
                ["control", "reviewer"]);
        }

        var (system, control) = await importer.FindSystemAsync(review.SystemName, request.Control, cancellationToken);
        var reviewer = await importer.FindReviewerAsync(request.Reviewer, system, control, cancellationToken);
        var task = await db.ControlTasks.AsNoTracking().SingleOrDefaultAsync(t => t.ControlId == control.Id && t.Period == review.Period, cancellationToken);
        var overrides = AccessReviewImporter.ScopeOverrides(system, review.Period, task);
        var overrideReason = review.OverrideReason ?? (string.IsNullOrWhiteSpace(request.Override) ? null : request.Override.Trim());
        if (overrides.Count > 0 && overrideReason is null)
        {
            throw new AccessReviewImportException($"{string.Join(" ", overrides)} Start it with override=<why> if it is still wanted (the reason is audited).", overrides);
        }

        var selfDecider = await AccessReviewImporter.SelfDeciderAsync(db, reviewer, system.OwnerId, cancellationToken);
        // Only accounts whose reviewer binding can change are loaded: all of them when the reviewer changed, otherwise the
        // self-reviewed few (a 20,000-account draft started as proposed touches no row).
        var items = await db.AccessReviewItems
            .Where(i => i.ReviewId == reviewId && (i.AssigneeId != reviewer.Id || i.PersonId == reviewer.Id || (i.Flags & AccountFlags.Self) != 0))
            .ToListAsync(cancellationToken);
        foreach (var item in items)
        {
            item.BindReviewer(reviewer.Id, selfDecider.Id);
        }

        var now = clock.GetUtcNow();
        var due = task?.DueDate ?? AccessReviewImporter.QuarterEnd(review.Period).AddDays(control.EffectiveDueDays);
        if (overrides.Count > 0 && review.OverrideReason is null)
        {
            review.OverrideReason = overrideReason;
            audit.Record(actor, "access-review.scope-overridden", AccessReviewService.Subject(review), new() { ["why"] = string.Join(" ", overrides), ["reason"] = overrideReason });
        }

        review.Bind(control.Id, task?.Id, reviewer, due);
        review.Start(actor, now);
        var selfItems = items.Count(i => i.AssigneeId == selfDecider.Id && selfDecider.Id != reviewer.Id);
        audit.Record(actor, "access-review.started", AccessReviewService.Subject(review), new()
        {
            ["control"] = control.Id,
            ["evidenced_by"] = control.EvidencedBy,
            ["task"] = task?.Id.ToString(CultureInfo.InvariantCulture),
            ["reviewer"] = reviewer.Email,
            ["self_decider"] = selfItems > 0 ? selfDecider.Email : null,
            ["accounts"] = review.AccountCount.ToString(CultureInfo.InvariantCulture),
            ["due"] = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
        // New and flagged over the whole snapshot: the rows not loaded above are counted in the database, the loaded ones as rebound.
        var loaded = items.Select(i => i.Id).ToList();
        var others = await db.AccessReviewItems.Where(i => i.ReviewId == reviewId && !loaded.Contains(i.Id))
            .GroupBy(i => 1)
            .Select(g => new { New = g.Count(i => i.Change == AccountChange.New), Flagged = g.Count(i => i.Flags != AccountFlags.None) })
            .SingleOrDefaultAsync(cancellationToken);
        var newCount = (others?.New ?? 0) + items.Count(i => i.Change == AccountChange.New);
        var flagged = (others?.Flagged ?? 0) + items.Count(i => i.Flags != AccountFlags.None);
        Announce(review, reviewer, selfDecider, selfItems, newCount, flagged);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new AccessReviewImportException($"The {review.SystemName} review for {review.Period} changed meanwhile (started, replaced or cancelled); look at it again.", conflict: true);
        }

        await reminders.PlanReviewAsync(review, cancellationToken);
        if (selfItems > 0)
        {
            await reminders.PlanDeciderAsync(review, selfDecider.Id, cancellationToken);
        }

        await outbox.DeliverAsync(cancellationToken);
        return review;
    }

    /// <summary>Withdraws a draft, or a started review with a reason; the record and its decisions stay for the auditor.</summary>
    public async Task<AccessReview> CancelAsync(int reviewId, string? reason, string actor, CancellationToken cancellationToken)
    {
        var review = await db.AccessReviews.Include(r => r.Reviewer).SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken)
            ?? throw new AccessReviewImportException($"No access review {reviewId}.", notFound: true);
        var wasStarted = review.IsOpen;
        try
        {
            review.Cancel(actor, reason, clock.GetUtcNow());
        }
        catch (AccessReviewRuleException ex)
        {
            throw new AccessReviewImportException(ex.Message, conflict: !wasStarted);
        }

        var decided = await db.AccessReviewItems.CountAsync(i => i.ReviewId == reviewId && (i.Decision == AccessDecision.Keep || i.Decision == AccessDecision.Revoke), cancellationToken);
        audit.Record(actor, "access-review.cancelled", AccessReviewService.Subject(review), new()
        {
            ["was"] = wasStarted ? "in review" : "draft",
            ["reason"] = review.CancelReason,
            ["decided"] = decided.ToString(CultureInfo.InvariantCulture),
            ["accounts"] = review.AccountCount.ToString(CultureInfo.InvariantCulture),
        });
        if (wasStarted)
        {
            // The reviewer was told it started, so they are told it stopped (and why); their reminders see it closed.
            outbox.ToPerson(review.Reviewer!, new Reply($"The {review.SystemName} access review for {review.Period} was cancelled by an admin: {review.CancelReason}. Nothing more is needed from you on it.")
            {
                Title = $"{review.SystemName} access review — {review.Period}",
            }, $"access-review:{review.Id}:cancelled", "access-review.notice", AccessReviewService.Subject(review));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new AccessReviewImportException($"The {review.SystemName} review for {review.Period} changed meanwhile; look at it again.", conflict: true);
        }

        await outbox.DeliverAsync(cancellationToken);
        return review;
    }

    /// <summary>"Q4 access review for GitHub: 42 accounts — 5 new, 3 flagged. Due 15 Jan."</summary>
    public static string Announcement(AccessReview review, int newCount, int flagged) =>
        $"{review.Quarter} access review for {review.SystemName}: {review.AccountCount} account{(review.AccountCount == 1 ? "" : "s")} — {newCount} new, {flagged} flagged. " +
        $"Due {review.DueDate.ToString("d MMM", CultureInfo.InvariantCulture)}.";

    /// <summary>Tells the reviewer (and whoever decides the reviewer's own accounts), in the same save as the start.</summary>
    private void Announce(AccessReview review, Person reviewer, Person selfDecider, int selfItems, int newCount, int flagged)
    {
        var start = AccessReviewService.StartButton(review.Id);
        Send(review, reviewer, new Reply(Announcement(review, newCount, flagged))
        {
            Title = $"{review.SystemName} access review — {review.Period}",
            Fields = review.RemovedCount > 0 ? [new("Removed since the previous review", review.RemovedCount.ToString(CultureInfo.InvariantCulture))] : [],
            Actions = [start],
        });

        if (selfItems > 0)
        {
            Send(review, selfDecider, new Reply(
                $"{reviewer.Name} is reviewing {review.SystemName} access for {review.Period}. {selfItems} of the accounts belong to {reviewer.Name}, " +
                $"and nobody reviews their own access, so please decide on {(selfItems == 1 ? "it" : "them")}. Due {review.DueDate.ToString("d MMM", CultureInfo.InvariantCulture)}.")
            {
                Title = $"{review.SystemName} access review — {review.Period}",
                Actions = [start],
            });
        }
    }

    private void Send(AccessReview review, Person person, Reply reply) =>
        outbox.ToPerson(person, reply, $"access-review:{review.Id}:announced:{person.Id}", "access-review.notice", $"access-review:{review.Id}");
}
