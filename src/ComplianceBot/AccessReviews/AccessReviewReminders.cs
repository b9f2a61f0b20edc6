using System.Globalization;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Help;
using ComplianceBot.Knowledge;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

/// <summary>
/// Access reviews on the owner-loop ladder: the reviewer is reminded ("access-review:7") until sign-off, anyone else who has
/// accounts to decide (an escalation target, or the reviewer's manager for the reviewer's own accounts; "access-review-decider:7:12")
/// until all of theirs are decided, and the system admin ("access-revocations:7", one reminder for all of a review's revocations)
/// until every revocation is confirmed; after sign-off, whoever holds accounts deferred at sign-off ("access-follow-up:7:12") until
/// they are kept or revoked, up to the follow-up's due date. The review's rows carry the control task's id, so the task is not also reminded on its own ladder.
/// </summary>
public sealed class AccessReviewReminders(ComplianceDbContext db, ReminderLadder ladder, ReminderPlanner planner, ProgramProfileHolder profile, TimeProvider clock) : IReminderSubject
{
    public const string ReviewPrefix = "access-review:";
    public const string RevocationsPrefix = "access-revocations:";
    public const string DeciderPrefix = "access-review-decider:";
    public const string FollowUpPrefix = "access-follow-up:";

    public static string ReviewSubject(int reviewId) => ReviewPrefix + reviewId.ToString(CultureInfo.InvariantCulture);

    public static string RevocationsSubject(int reviewId) => RevocationsPrefix + reviewId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The ladder of revocations decided on a follow-up and due on <paramref name="due"/> ("access-revocations:7:20261202"): its own
    /// subject, because the sign-off's ladder may have run its course (its rungs sent or cancelled) when a follow-up revokes.
    /// </summary>
    public static string FollowUpRevocationsSubject(int reviewId, DateOnly due) =>
        RevocationsSubject(reviewId) + ":" + due.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>One ladder per review and person: a second account handed to the same person finds it already planned.</summary>
    public static string DeciderSubject(int reviewId, int personId) =>
        DeciderPrefix + reviewId.ToString(CultureInfo.InvariantCulture) + ":" + personId.ToString(CultureInfo.InvariantCulture);

    /// <summary>One ladder per review and holder of deferred accounts, up to the follow-up's due date.</summary>
    public static string FollowUpSubject(int reviewId, int personId) =>
        FollowUpPrefix + reviewId.ToString(CultureInfo.InvariantCulture) + ":" + personId.ToString(CultureInfo.InvariantCulture);

    public bool Handles(string subject) =>
        subject.StartsWith(ReviewPrefix, StringComparison.Ordinal) || subject.StartsWith(RevocationsPrefix, StringComparison.Ordinal)
        || subject.StartsWith(DeciderPrefix, StringComparison.Ordinal) || subject.StartsWith(FollowUpPrefix, StringComparison.Ordinal);

    /// <summary>Plans the reviewer's ladder up to the review's due date and retires the task's own pending rungs.</summary>
    public async Task PlanReviewAsync(AccessReview review, CancellationToken cancellationToken)
    {
        var reviewer = await db.People.Include(p => p.Manager).SingleAsync(p => p.Id == review.ReviewerId, cancellationToken);
        await PlanAsync(ReviewSubject(review.Id), review.TaskId, review.DueDate, reviewer, cancellationToken);
        if (review.TaskId is { } taskId)
        {
            await planner.CancelPendingAsync(ReminderPlanner.TaskSubject(taskId), cancellationToken);
        }
    }

    /// <summary>Plans the system admin's ladder up to the revocations' due date.</summary>
    public async Task PlanRevocationsAsync(int reviewId, int adminId, DateOnly due, CancellationToken cancellationToken, bool followUp = false)
    {
        var admin = await db.People.Include(p => p.Manager).SingleAsync(p => p.Id == adminId, cancellationToken);
        await PlanAsync(followUp ? FollowUpRevocationsSubject(reviewId, due) : RevocationsSubject(reviewId), null, due, admin, cancellationToken);
    }

    /// <summary>
    /// Plans the ladder, up to the review's due date, of a person other than the reviewer who now has accounts of the review to
    /// decide. Idempotent: the rungs the person already has are not added again. The reviewer's own ladder covers the reviewer.
    /// </summary>
    public async Task PlanDeciderAsync(AccessReview review, int personId, CancellationToken cancellationToken)
    {
        if (personId == review.ReviewerId)
        {
            return;
        }

        var person = await db.People.Include(p => p.Manager).SingleAsync(p => p.Id == personId, cancellationToken);
        await PlanAsync(DeciderSubject(review.Id, personId), review.TaskId, review.DueDate, person, cancellationToken);
    }

    /// <summary>Plans, after sign-off, the ladder of a person holding accounts deferred at sign-off, up to the follow-up's due date.</summary>
    public async Task PlanFollowUpAsync(AccessReview review, int personId, CancellationToken cancellationToken)
    {
        if (review.FollowUpDue is not { } due)
        {
            return;
        }

        var person = await db.People.Include(p => p.Manager).SingleAsync(p => p.Id == personId, cancellationToken);
        await PlanAsync(FollowUpSubject(review.Id, personId), null, due, person, cancellationToken);
    }

    public async Task<ReminderMessage?> ComposeAsync(Reminder reminder, CancellationToken cancellationToken)
    {
        if (reminder.Subject.StartsWith(DeciderPrefix, StringComparison.Ordinal))
        {
            return await DeciderAsync(reminder, cancellationToken);
        }

        if (reminder.Subject.StartsWith(FollowUpPrefix, StringComparison.Ordinal))
        {
            return await FollowUpAsync(reminder, cancellationToken);
        }

        var revocations = reminder.Subject.StartsWith(RevocationsPrefix, StringComparison.Ordinal);
        var ids = reminder.Subject[(revocations ? RevocationsPrefix : ReviewPrefix).Length..].Split(':');
        var id = int.Parse(ids[0], CultureInfo.InvariantCulture);
        var review = await db.AccessReviews.AsNoTracking().Include(r => r.Reviewer).ThenInclude(p => p!.Manager).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review?.Reviewer is not { } reviewer)
        {
            return null;
        }

        DateOnly? followUpDue = ids.Length > 1 ? DateOnly.ParseExact(ids[1], "yyyyMMdd", CultureInfo.InvariantCulture) : null;
        return revocations ? await RevocationsAsync(review, reminder, followUpDue, cancellationToken) : await ReviewAsync(review, reviewer, reminder, cancellationToken);
    }

    private async Task<ReminderMessage?> ReviewAsync(AccessReview review, Person reviewer, Reminder reminder, CancellationToken cancellationToken)
    {
        if (!review.IsOpen)
        {
            // Signed off: the ladder has done its job.
            return null;
        }

        var total = review.AccountCount;
        var decided = await db.AccessReviewItems.CountAsync(i => i.ReviewId == review.Id && (i.Decision == AccessDecision.Keep || i.Decision == AccessDecision.Revoke), cancellationToken);
        var overdue = ladder.BusinessDaysOverdue(reviewer, review.DueDate, WorkingCalendar.LocalDate(reviewer, clock.GetUtcNow()));
        var due = review.DueDate.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture);
        var title = $"{review.SystemName} access review — {review.Period}";
        var progress = $"{decided}/{total} decided";
        return reminder.Audience switch
        {
            ReminderAudience.Manager => reviewer.Manager is { IsActive: true } manager
                ? new ReminderMessage(manager, null, new Reply(
                    $"{reviewer.Name} has not signed off the {review.SystemName} access review for {review.Period} ({progress}); it was due {due} and is {overdue} business day(s) overdue. " +
                    "You are their manager in the directory, so I'm letting you know.")
                { Title = $"Escalation: {title}", Actions = [HelpFlow.AskButton] })
                : null,
            ReminderAudience.Channel => new ReminderMessage(null, profile.Current.ComplianceChannel, new Reply(
                $"The {review.SystemName} access review for {review.Period} is {overdue} business day(s) overdue ({progress}). Reviewer: {reviewer.Name}.")
            { Title = $"Overdue access review: {title}" }),
            _ => new ReminderMessage(reviewer, null, new Reply(
                $"You are the reviewer of {review.SystemName} access for {review.Period}: {progress}, due {due}. " +
                (overdue > 0 ? $"It is {overdue} business day(s) overdue. " : "") + "Decide the remaining accounts and sign off.")
            {
                Title = overdue > 0 ? $"Overdue: {title}" : $"Reminder: {title}",
                Actions = [AccessReviewService.StartButton(review.Id)],
            }),
        };
    }

    /// <summary>"access-review-decider:7:12" → (7, 12): the review and the person a per-person ladder is for.</summary>
    private static (int ReviewId, int PersonId) ReviewAndPerson(string subject, string prefix)
    {
        var ids = subject[prefix.Length..].Split(':');
        return (int.Parse(ids[0], CultureInfo.InvariantCulture), int.Parse(ids[1], CultureInfo.InvariantCulture));
    }

    private async Task<ReminderMessage?> DeciderAsync(Reminder reminder, CancellationToken cancellationToken)
    {
        var (reviewId, personId) = ReviewAndPerson(reminder.Subject, DeciderPrefix);
        var review = await db.AccessReviews.AsNoTracking().Include(r => r.Reviewer).SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken);
        if (review is not { IsOpen: true })
        {
            // Signed off (or gone): nothing of it is left to decide.
            return null;
        }

        var open = await db.AccessReviewItems.CountAsync(i => i.ReviewId == reviewId && i.AssigneeId == personId && i.Decision != AccessDecision.Keep && i.Decision != AccessDecision.Revoke, cancellationToken);
        // Questions asked of them count while the account still waits for the answer (a decider may decide without it).
        var questions = await db.AccessReviewEscalations.CountAsync(e => e.ReviewId == reviewId && e.AskedOfId == personId && e.AnsweredAt == null && e.Item!.Decision == AccessDecision.Escalated, cancellationToken);
        if (open + questions == 0 || await db.People.AsNoTracking().Include(p => p.Manager).SingleOrDefaultAsync(p => p.Id == personId, cancellationToken) is not { } person)
        {
            // Everything this person was handed is decided (or handed on): their ladder has done its job.
            return null;
        }

        var overdue = ladder.BusinessDaysOverdue(person, review.DueDate, WorkingCalendar.LocalDate(person, clock.GetUtcNow()));
        var due = review.DueDate.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture);
        var title = $"{review.SystemName} access review — {review.Period}";
        var accounts = (open, questions) switch
        {
            (_, 0) => $"{open} account{(open == 1 ? "" : "s")} still to decide",
            (0, _) => $"{questions} question{(questions == 1 ? "" : "s")} about accounts still to answer",
            _ => $"{open} account{(open == 1 ? "" : "s")} still to decide and {questions} question{(questions == 1 ? "" : "s")} to answer",
        };
        return reminder.Audience switch
        {
            ReminderAudience.Manager => person.Manager is { IsActive: true } manager
                ? new ReminderMessage(manager, null, new Reply(
                    $"{person.Name} has {accounts} in the {review.SystemName} access review for {review.Period}; it was due {due} and is {overdue} business day(s) overdue. " +
                    "You are their manager in the directory, so I'm letting you know.")
                { Title = $"Escalation: {title}", Actions = [HelpFlow.AskButton] })
                : null,
            ReminderAudience.Channel => new ReminderMessage(null, profile.Current.ComplianceChannel, new Reply(
                $"{person.Name} has {accounts} in the {review.SystemName} access review for {review.Period}, {overdue} business day(s) overdue.")
            { Title = $"Overdue access review: {title}" }),
            _ => new ReminderMessage(person, null, new Reply(
                $"You have {accounts} in the {review.SystemName} access review for {review.Period} (reviewer: {review.Reviewer?.Name}), due {due}. " +
                (overdue > 0 ? $"It is {overdue} business day(s) overdue. " : "") + (open > 0 ? "Keep or revoke each one." : "The reviewer is waiting for your answer."))
            {
                Title = overdue > 0 ? $"Overdue: {title}" : $"Reminder: {title}",
                Actions = open > 0
                    ? [AccessReviewService.StartButton(review.Id)]
                    : [new ReplyAction(AccessReviewFlow.QuestionsAction, "Show questions", AccessReviewFlow.Data(), ActionStyle.Primary)],
            }),
        };
    }

    private async Task<ReminderMessage?> FollowUpAsync(Reminder reminder, CancellationToken cancellationToken)
    {
        var (reviewId, personId) = ReviewAndPerson(reminder.Subject, FollowUpPrefix);
        var review = await db.AccessReviews.AsNoTracking().Include(r => r.Reviewer).SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken);
        if (review is not { Status: AccessReviewStatus.SignedOff, FollowUpDue: { } dueDate })
        {
            // Completed (or gone): nothing of it is left to decide.
            return null;
        }

        var open = await db.AccessReviewItems.CountAsync(i => i.ReviewId == reviewId && i.AssigneeId == personId && i.DeferredAtSignOff && i.Decision == AccessDecision.Deferred, cancellationToken);
        if (open == 0 || await db.People.AsNoTracking().Include(p => p.Manager).SingleOrDefaultAsync(p => p.Id == personId, cancellationToken) is not { } person)
        {
            // Every account this person deferred is kept or revoked: their follow-up ladder has done its job.
            return null;
        }

        var overdue = ladder.BusinessDaysOverdue(person, dueDate, WorkingCalendar.LocalDate(person, clock.GetUtcNow()));
        var due = dueDate.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture);
        var title = $"{review.SystemName} access review follow-up — {review.Period}";
        var accounts = $"{open} account{(open == 1 ? "" : "s")} deferred at sign-off";
        return reminder.Audience switch
        {
            ReminderAudience.Manager => person.Manager is { IsActive: true } manager
                ? new ReminderMessage(manager, null, new Reply(
                    $"{person.Name} has {accounts} of the {review.SystemName} access review for {review.Period} still to decide; the follow-up was due {due} and is {overdue} business day(s) overdue. " +
                    "You are their manager in the directory, so I'm letting you know.")
                { Title = $"Escalation: {title}", Actions = [HelpFlow.AskButton] })
                : null,
            ReminderAudience.Channel => new ReminderMessage(null, profile.Current.ComplianceChannel, new Reply(
                $"{person.Name} has {accounts} of the {review.SystemName} access review for {review.Period} still to decide, {overdue} business day(s) overdue. The review cannot complete until they are.")
            { Title = $"Overdue access review follow-up: {title}" }),
            _ => new ReminderMessage(person, null, new Reply(
                $"You have {accounts} of the {review.SystemName} access review for {review.Period} (reviewer: {review.Reviewer?.Name}) to keep or revoke, due {due}. " +
                (overdue > 0 ? $"It is {overdue} business day(s) overdue. " : "") + "The review completes when they are decided.")
            {
                Title = overdue > 0 ? $"Overdue: {title}" : $"Reminder: {title}",
                Actions = [AccessReviewService.StartButton(review.Id)],
            }),
        };
    }

    /// <param name="followUpDue">The due date of a follow-up's ladder, which counts only its own revocations; null for the sign-off's ladder.</param>
    private async Task<ReminderMessage?> RevocationsAsync(AccessReview review, Reminder reminder, DateOnly? followUpDue, CancellationToken cancellationToken)
    {
        var revocations = db.AccessRevocations.Where(r => r.ReviewId == review.Id && r.ConfirmedAt == null);
        // Each open revocation is on exactly one ladder, so the admin is not nudged twice for it.
        revocations = followUpDue is { } day
            ? revocations.Where(r => r.Item!.DeferredAtSignOff && r.DueDate == day)
            : revocations.Where(r => !r.Item!.DeferredAtSignOff);
        var open = await revocations
            .GroupBy(r => r.AssigneeId).Select(g => new { AssigneeId = g.Key, Count = g.Count(), Due = g.Min(r => r.DueDate) })
            .FirstOrDefaultAsync(cancellationToken);
        if (open is null)
        {
            return null;
        }

        var admin = await db.People.AsNoTracking().Include(p => p.Manager).SingleAsync(p => p.Id == open.AssigneeId, cancellationToken);
        var overdue = ladder.BusinessDaysOverdue(admin, open.Due, WorkingCalendar.LocalDate(admin, clock.GetUtcNow()));
        var what = $"{open.Count} revocation{(open.Count == 1 ? "" : "s")} from the {review.SystemName} access review for {review.Period}";
        var due = open.Due.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture);
        var show = new ReplyAction(AccessReviewFlow.RevocationsAction, "Show revocations", AccessReviewFlow.Data(("review", review.Id)), ActionStyle.Primary);
        return reminder.Audience switch
        {
            ReminderAudience.Manager => admin.Manager is { IsActive: true } manager
                ? new ReminderMessage(manager, null, new Reply($"{admin.Name} has {what} still unconfirmed; they were due {due}.") { Title = $"Escalation: {review.SystemName} revocations" })
                : null,
            ReminderAudience.Channel => new ReminderMessage(null, profile.Current.ComplianceChannel, new Reply(
                $"{what} are {overdue} business day(s) overdue. System admin: {admin.Name}.") { Title = $"Overdue revocations: {review.SystemName} — {review.Period}" }),
            _ => new ReminderMessage(admin, null, new Reply(
                $"You have {what} to carry out and confirm, due {due}." + (overdue > 0 ? $" They are {overdue} business day(s) overdue." : ""))
            {
                Title = overdue > 0 ? $"Overdue: {review.SystemName} revocations" : $"Reminder: {review.SystemName} revocations",
                Actions = [show],
            }),
        };
    }

    private async Task PlanAsync(string subject, int? taskId, DateOnly due, Person owner, CancellationToken cancellationToken)
    {
        var existing = await db.Reminders.Where(r => r.Subject == subject).Select(r => r.Step).ToListAsync(cancellationToken);
        planner.AddLadder(subject, taskId, due, owner, existing);

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Another host planned the same subject at the same moment; its rows stand.
            foreach (var entry in db.ChangeTracker.Entries<Reminder>().Where(e => e.State == EntityState.Added).ToList())
            {
                entry.State = EntityState.Detached;
            }
        }
    }
}
