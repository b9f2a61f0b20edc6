using System.Globalization;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.Attestations;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.AccessReviews;

/// <summary>One row of a decision page, projected in one query (decider's name joined, no per-item lookups).</summary>
public sealed record ItemView(
    long Id, string AccountId, string DisplayName, string Email, string Role, DateTimeOffset? LastLogin, AccountChange Change, AccountFlags Flags,
    AccessDecision Decision, string? Reason, string? DecidedBy, DateTimeOffset? DecidedAt, Guid Version, string Entitlements = "{}")
{
    // What the import profile read beside the role (see AccessReviewItem): shown on the account's card.
    public string Groups { get; init; } = "[]";
    public string AdminRoles { get; init; } = "[]";
    public bool? Mfa { get; init; }
    public string? KeyStatus { get; init; }
    public string? AccountStatus { get; init; }
    public bool AccountEnabled { get; init; } = true;
    public string? LastActivitySource { get; init; }
    public string? ChangeSummary { get; init; }
    public AccountMarkKind? Mark { get; init; }

    /// <summary>The account is matched to a person (by email, login, NameID or an alias); unmatched ones can be identified from the card.</summary>
    public bool Matched { get; init; }

    /// <summary>Deferred when the review was signed off: an open follow-up while still deferred.</summary>
    public bool DeferredAtSignOff { get; init; }
}

/// <summary>Counts for "31/42 decided": the whole review and the viewer's share of it; deferred accounts are undecided but do not block sign-off.</summary>
public sealed record ReviewProgress(int Total, int Decided, int Kept, int Revoked, int Mine, int MineUndecided, int BulkKeepable, int Deferred = 0)
{
    /// <summary>Every account is kept, revoked or deferred (pending and escalated ones block sign-off).</summary>
    public bool ReadyToSignOff => Decided + Deferred == Total;
}

/// <summary>One page of a person's items in a review.</summary>
public sealed record ReviewPage(AccessReview Review, ReviewProgress Progress, IReadOnlyList<ItemView> Items, int Page, int Pages, bool IsReviewer)
{
    public ReviewFilter Filter { get; init; } = ReviewFilter.All;

    /// <summary>How many of the viewer's accounts the filter matches (all of theirs without one).</summary>
    public int Matching { get; init; }
}

/// <summary>The accounts a bulk keep would keep, and a fingerprint of exactly that set for its confirmation.</summary>
public sealed record BulkKeepSet(IReadOnlyList<long> ItemIds, IReadOnlyList<string> AccountIds, bool FirstReview, string Fingerprint);

/// <summary>The result of a click that writes: done, refused by a rule, or lost a race (the item changed since the page was shown).</summary>
public sealed record DecisionOutcome(bool Recorded, string Message, int ReviewId);

/// <summary>Decisions, bulk keep, sign-off, revocation follow-ups and completion of access reviews.</summary>
public sealed class AccessReviewService(
    ComplianceDbContext db,
    AuditTrail audit,
    OutboxWriter outbox,
    AccessReviewReport report,
    Attestor attestor,
    AccessReviewReminders reminders,
    IOptions<AccessReviewOptions> options,
    TimeProvider clock,
    ILogger<AccessReviewService> logger)
{
    private IQueryable<AccessReviewItem> Items => db.Set<AccessReviewItem>();

    private int PageSize => Math.Clamp(options.Value.PageSize, 1, 12);

    public async Task<ReviewPage?> PageAsync(int reviewId, Person viewer, int page, CancellationToken cancellationToken, ReviewFilter? filter = null)
    {
        filter ??= ReviewFilter.All;
        var review = await db.Set<AccessReview>().AsNoTracking().Include(r => r.Reviewer).SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken);
        if (review is null || !await MayViewAsync(review, viewer, cancellationToken))
        {
            return null;
        }

        var progress = await ProgressAsync(reviewId, viewer.Id, cancellationToken);
        var mine = filter.Apply(Items.AsNoTracking().Where(i => i.ReviewId == reviewId && i.AssigneeId == viewer.Id));
        var matching = filter.IsAll ? progress.Mine : await mine.CountAsync(cancellationToken);
        var pages = Math.Max(1, (matching + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pages);
        var items = await mine
            .OrderBy(i => i.SortGroup).ThenBy(i => i.AccountId)
            .Skip((page - 1) * PageSize).Take(PageSize)
            .Select(i => new ItemView(i.Id, i.AccountId, i.DisplayName, i.Email, i.Role, i.LastLogin, i.Change, i.Flags, i.Decision, i.Reason,
                i.DecidedBy == null ? null : i.DecidedBy.Name, i.DecidedAt, i.Version, i.Entitlements)
            {
                Groups = i.Groups, AdminRoles = i.AdminRoles, Mfa = i.Mfa, KeyStatus = i.KeyStatus, AccountStatus = i.AccountStatus,
                AccountEnabled = i.AccountEnabled, LastActivitySource = i.LastActivitySource, ChangeSummary = i.ChangeSummary, Mark = i.Mark,
                Matched = i.PersonId != null,
                DeferredAtSignOff = i.DeferredAtSignOff,
            })
            .ToListAsync(cancellationToken);

        return new ReviewPage(review, progress, items, page, pages, review.ReviewerId == viewer.Id) { Filter = filter, Matching = matching };
    }

    /// <summary>Reads are authorised like writes: the reviewer, whoever has accounts or revocations of it, compliance admins and auditors.</summary>
    public async Task<bool> MayViewAsync(AccessReview review, Person viewer, CancellationToken cancellationToken) =>
        viewer.Has(PersonRoles.ComplianceAdmin) || viewer.Has(PersonRoles.Auditor) || (!review.IsDraft && await MayDecideOnAsync(review, viewer, cancellationToken));

    /// <summary>A draft is an admin's preview: its reviewer sees it once it is started.</summary>
    private async Task<bool> MayDecideOnAsync(AccessReview review, Person viewer, CancellationToken cancellationToken) =>
        review.ReviewerId == viewer.Id
        || await Items.AnyAsync(i => i.ReviewId == review.Id && i.AssigneeId == viewer.Id, cancellationToken)
        || await db.Set<AccessRevocation>().AnyAsync(r => r.ReviewId == review.Id && r.AssigneeId == viewer.Id, cancellationToken);

    public async Task<ReviewProgress> ProgressAsync(int reviewId, int viewerId, CancellationToken cancellationToken)
    {
        // One grouped query instead of a count per category. In a first review every account is new, so "unflagged" alone is the bulk rule.
        var firstReview = await db.Set<AccessReview>().Where(r => r.Id == reviewId).Select(r => r.PreviousReviewId == null).SingleOrDefaultAsync(cancellationToken);
        var groups = await Items.Where(i => i.ReviewId == reviewId)
            .GroupBy(i => new { i.Decision, Mine = i.AssigneeId == viewerId, Bulk = (firstReview || i.Change == AccountChange.Unchanged) && i.Flags == AccountFlags.None })
            .Select(g => new { g.Key.Decision, g.Key.Mine, g.Key.Bulk, Count = g.Count() })
            .ToListAsync(cancellationToken);
        static bool Decided(AccessDecision d) => d is AccessDecision.Keep or AccessDecision.Revoke;
        return new ReviewProgress(
            groups.Sum(g => g.Count),
            groups.Where(g => Decided(g.Decision)).Sum(g => g.Count),
            groups.Where(g => g.Decision == AccessDecision.Keep).Sum(g => g.Count),
            groups.Where(g => g.Decision == AccessDecision.Revoke).Sum(g => g.Count),
            groups.Where(g => g.Mine).Sum(g => g.Count),
            groups.Where(g => g.Mine && !Decided(g.Decision)).Sum(g => g.Count),
            groups.Where(g => g.Mine && g.Bulk && g.Decision == AccessDecision.Pending).Sum(g => g.Count),
            groups.Where(g => g.Decision == AccessDecision.Deferred).Sum(g => g.Count));
    }

    /// <summary>
    /// Records a decision if the item is still at <paramref name="seenVersion"/> (the version on the page that was clicked):
    /// of two clicks racing from the same page, exactly one is recorded.
    /// </summary>
    public async Task<DecisionOutcome> DecideAsync(
        long itemId, AccessDecision decision, string? reason, Guid? seenVersion, Person person, CancellationToken cancellationToken, ChannelKind channel = ChannelKind.Web)
    {
        var item = await Items.Include(i => i.Review).Include(i => i.Assignee).SingleOrDefaultAsync(i => i.Id == itemId, cancellationToken);
        if (item?.Review is not { } review)
        {
            return new DecisionOutcome(false, "I couldn't find that account any more.", 0);
        }

        if (item.DeferredAtSignOff && review.Status == AccessReviewStatus.SignedOff)
        {
            return await FollowUpAsync(item, review, decision, reason, seenVersion, person, channel, cancellationToken);
        }

        var previous = item.Decision;
        return await WriteAsync(item, person, seenVersion, review.LockedMessage, () => item.Holds(decision, reason, person) ? $"{item.AccountId}: {Describe(decision)} is already recorded." : null, () =>
        {
            item.Decide(decision, reason, person, clock.GetUtcNow());
            audit.Record(person.Email, "access-review.decided", Subject(review), new()
            {
                ["account"] = item.AccountId,
                ["decision"] = decision.ToString(),
                ["previous"] = previous.ToString(),
                ["reason"] = item.Reason,
            });
            return $"{item.AccountId}: {Describe(decision)}.";
        }, cancellationToken);
    }

    /// <summary>
    /// Decides an account deferred at sign-off, after it: Keep or Revoke, once, by its assignee, audited as a follow-up decision.
    /// A Revoke goes to the system admin like the sign-off's (notice in the same save); the last open follow-up may complete the review.
    /// </summary>
    private async Task<DecisionOutcome> FollowUpAsync(
        AccessReviewItem item, AccessReview review, AccessDecision decision, string? reason, Guid? seenVersion, Person person, ChannelKind channel, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var revoke = decision == AccessDecision.Revoke;
        var admin = revoke ? await SystemAdminAsync(review, cancellationToken) : null;
        var due = DateOnly.FromDateTime(now.UtcDateTime).AddDays(options.Value.RevocationDueDays);
        // A redelivered click finds its own decision before the lock (the account is no longer an open follow-up).
        var locked = item.Holds(decision, reason, person) ? null : item.LockedMessageFor(decision);
        var outcome = await WriteAsync(item, person, seenVersion, locked, () => item.Holds(decision, reason, person) ? $"{item.AccountId}: {Describe(decision)} is already recorded." : null, () =>
        {
            item.Decide(decision, reason, person, now);
            audit.Record(person.Email, "access-review.follow-up-decided", Subject(review), new()
            {
                ["account"] = item.AccountId,
                ["decision"] = decision.ToString(),
                ["previous"] = AccessDecision.Deferred.ToString(),
                ["reason"] = item.Reason,
                ["deferred_at_sign_off"] = review.SignedOffAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["follow_up_due"] = review.FollowUpDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            });
            if (admin is not null)
            {
                db.Add(new AccessRevocation { ReviewId = review.Id, ItemId = item.Id, AssigneeId = admin.Id, CreatedAt = now, DueDate = due });
                Notify(admin, new Reply(
                    $"{person.Name} revoked {item.AccountId} on the follow-up of the {review.SystemName} access review for {review.Period} (deferred at sign-off). " +
                    $"Remove it by {due.ToString("d MMM", CultureInfo.InvariantCulture)} and confirm it here with a note or ticket link.")
                {
                    Title = $"{review.SystemName} revocations — {review.Period}",
                    Actions = [new ReplyAction(AccessReviewFlow.RevocationsAction, "Show revocations", AccessReviewFlow.Data(("review", review.Id)), ActionStyle.Primary)],
                }, $"{Subject(review)}:follow-up-revocation:{item.Id}", Subject(review));
            }

            return revoke
                ? $"{item.AccountId}: revoke (on the follow-up). {admin!.Name} has it to carry out by {due.ToString("d MMM", CultureInfo.InvariantCulture)}."
                : $"{item.AccountId}: keep (on the follow-up).";
        }, cancellationToken);
        if (!outcome.Recorded)
        {
            return outcome;
        }

        if (admin is not null)
        {
            await outbox.DeliverAsync(cancellationToken);
            await reminders.PlanRevocationsAsync(review.Id, admin.Id, due, cancellationToken, followUp: true);
        }

        return await CompleteIfDoneAsync(review.Id, person, channel, cancellationToken)
            ? outcome with { Message = $"{outcome.Message} That was the last open item: the {review.SystemName} review for {review.Period} is complete and its report is stored as evidence." }
            : outcome;
    }

    /// <summary>
    /// Asks <paramref name="target"/> a question about the account: recorded and audited, and the question with the account's
    /// card goes to them as a DM (through the outbox, in the same save). The account stays with the decider until the answer.
    /// </summary>
    public async Task<DecisionOutcome> EscalateAsync(long itemId, Person target, string question, Guid? seenVersion, Person person, CancellationToken cancellationToken)
    {
        var item = await Items.Include(i => i.Review).SingleOrDefaultAsync(i => i.Id == itemId, cancellationToken);
        if (item?.Review is not { } review)
        {
            return new DecisionOutcome(false, "I couldn't find that account any more.", 0);
        }

        var outcome = await WriteAsync(item, person, seenVersion, review.LockedMessage, static () => null, () =>
        {
            var escalation = item.Escalate(person, target, question, clock.GetUtcNow());
            db.Add(escalation);
            audit.Record(person.Email, "access-review.escalated", Subject(review), new() { ["account"] = item.AccountId, ["to"] = target.Email, ["question"] = escalation.Question });
            Notify(target, QuestionReply(review, item, person, escalation.Question), $"{Subject(review)}:escalated:{item.Id}:{Guid.NewGuid():N}", Subject(review));
            return $"{item.AccountId}: asked {target.Name}. Their answer comes back to you here; the account stays yours to decide.";
        }, cancellationToken);
        if (outcome.Recorded)
        {
            await outbox.DeliverAsync(cancellationToken);
            await reminders.PlanDeciderAsync(review, target.Id, cancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// Records the answer of the person an account was escalated to (a Keep/Revoke recommendation and/or words), audited as
    /// theirs; the account returns to whoever asked, who hears the answer with the account's buttons and decides.
    /// </summary>
    public async Task<DecisionOutcome> AnswerAsync(long itemId, AccessDecision? recommendation, string? answer, Person person, CancellationToken cancellationToken)
    {
        var escalation = await db.Set<AccessReviewEscalation>().Include(e => e.AskedBy).Include(e => e.Item).ThenInclude(i => i!.Review)
            .Where(e => e.ItemId == itemId && e.AskedOfId == person.Id).OrderByDescending(e => e.Id).FirstOrDefaultAsync(cancellationToken);
        if (escalation is not { Item: { Review: { } review } item, AskedBy: { } asker })
        {
            return new DecisionOutcome(false, "I couldn't find a question to you about that account.", 0);
        }

        try
        {
            escalation.Record(person, recommendation, answer, clock.GetUtcNow());
            var summary = AccessReviewEscalation.Summary(person.Name, escalation.Recommendation, escalation.Answer);
            var stillEscalated = item.Decision == AccessDecision.Escalated;
            item.AnswerArrived(summary);
            audit.Record(person.Email, "access-review.escalation-answered", Subject(review), new()
            {
                ["account"] = item.AccountId,
                ["asked_by"] = asker.Email,
                ["question"] = escalation.Question,
                ["recommendation"] = escalation.Recommendation?.ToString(),
                ["answer"] = escalation.Answer,
            });
            var status = stillEscalated
                ? "It is back with you to decide: you stay accountable for the decision."
                : $"You have already decided it ({Describe(item.Decision)}); change it here if the answer changes your mind.";
            Notify(asker, new Reply($"{summary}\nThat is the answer to your question about {item.AccountId} in the {review.SystemName} access review for {review.Period} (“{Cut(escalation.Question, 300)}”). {status}")
            {
                Title = $"{review.SystemName} access review — {review.Period}",
                Items = [AccountCard.Build(ToView(item), AccessReviewFlow.Data(("review", review.Id), ("item", item.Id), ("v", item.Version.ToString("N")), ("page", 1)), true, false)],
            }, $"{Subject(review)}:answered:{escalation.Id}", Subject(review));
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (AccessReviewRuleException ex)
        {
            return await RefusedAsync(review, person, "answer an escalation", ex, new() { ["account"] = item.AccountId }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added && e.Entity is AuditEvent or OutboxMessage).ToList().ForEach(e => e.State = EntityState.Detached);
            return new DecisionOutcome(false, $"Your answer about {item.AccountId} could not be recorded because the account changed at the same moment; please answer again.", review.Id);
        }

        await outbox.DeliverAsync(cancellationToken);
        return new DecisionOutcome(true, $"Thank you: your answer about {item.AccountId} is with {asker.Name}, who decides on it.", review.Id);
    }

    /// <summary>The person's unanswered questions in open reviews, with the accounts, oldest first.</summary>
    public async Task<IReadOnlyList<OpenQuestion>> OpenQuestionsAsync(Person person, CancellationToken cancellationToken)
    {
        var open = await db.Set<AccessReviewEscalation>().AsNoTracking()
            .Where(e => e.AskedOfId == person.Id && e.AnsweredAt == null && e.Review!.Status == AccessReviewStatus.InReview && e.Item!.Decision == AccessDecision.Escalated)
            .OrderBy(e => e.Id).Take(PageSize)
            .Include(e => e.Item).Include(e => e.Review).Include(e => e.AskedBy)
            .ToListAsync(cancellationToken);
        return [.. open.Select(e => new OpenQuestion(e.Review!, e.Item!, e.AskedBy!, e.Question))];
    }

    /// <summary>The question as its recipient gets it: the account's card, the question, and Keep / Revoke / answer buttons.</summary>
    public static Reply QuestionReply(AccessReview review, AccessReviewItem item, Person askedBy, string question)
    {
        var data = AccessReviewFlow.Data(("item", item.Id));
        var card = AccountCard.Build(ToView(item), data, false, false) with
        {
            Actions =
            [
                new ReplyAction(AccessReviewFlow.AnswerAction, "Keep", AccessReviewFlow.Data(("item", item.Id), (AccessReviewFlow.RecommendationKey, "keep")), ActionStyle.Primary),
                new ReplyAction(AccessReviewFlow.AnswerFormAction, "Revoke…", AccessReviewFlow.Data(("item", item.Id), (AccessReviewFlow.RecommendationKey, "revoke")), ActionStyle.Danger),
                new ReplyAction(AccessReviewFlow.AnswerFormAction, "Answer…", data),
            ],
        };
        return new Reply($"{askedBy.Name} is reviewing access to {review.SystemName} for {review.Period} and asks you about {item.AccountId}:\n“{question}”\n" +
            $"Recommend Keep or Revoke, or answer in words; {askedBy.Name} decides.")
        {
            Title = $"{review.SystemName} access review — a question from {askedBy.Name}",
            Items = [card],
        };
    }

    /// <summary>
    /// A directory person from what was typed or picked: an email (plus-addressing ignored), else a unique name. Left people are
    /// found too, so the caller can say they left instead of "unknown".
    /// </summary>
    public async Task<(Person? Person, string? Error)> FindPersonAsync(string? text, CancellationToken cancellationToken)
    {
        text = text?.Trim() ?? "";
        if (text.Length == 0)
        {
            return (null, "Choose the person to ask (a name or email from the directory).");
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            var (email, canonical) = (EmailAddress.Normalize(text), EmailAddress.Canonical(text));
            var byEmail = await db.People.FirstOrDefaultAsync(p => p.Email == email || p.Email == canonical, cancellationToken);
            return byEmail is null ? (null, $"I couldn't find {text} in the directory.") : (byEmail, null);
        }

        var lower = text.ToLowerInvariant();
        // ToLower() is what every provider translates (LOWER()); string.Equals with a comparison is not translated.
#pragma warning disable CA1862
        var byName = await db.People.Where(p => p.Name.ToLower() == lower).OrderBy(p => p.Status).Take(3).ToListAsync(cancellationToken);
#pragma warning restore CA1862
        var active = byName.Where(p => p.IsActive).ToList();
        return (byName.Count, active.Count) switch
        {
            (0, _) => (null, $"I couldn't find anyone called “{text}” in the directory; try their email."),
            (_, 1) => (active[0], null),
            (1, 0) => (byName[0], null),
            _ => (null, $"More than one person is called {text}; choose them by email."),
        };
    }

    /// <summary>Whom to suggest in the escalation form: the system owner's manager, else the decider's manager.</summary>
    public Task<Person?> SuggestedEscalateeAsync(AccessReview review, Person from, int? accountPersonId, CancellationToken cancellationToken) =>
        EscalationTargetAsync(review, from, accountPersonId, cancellationToken);

    /// <summary>An item as a card row, from the tracked entity (for messages composed inside a write).</summary>
    public static ItemView ToView(AccessReviewItem i) =>
        new(i.Id, i.AccountId, i.DisplayName, i.Email, i.Role, i.LastLogin, i.Change, i.Flags, i.Decision, i.Reason, null, i.DecidedAt, i.Version, i.Entitlements)
        {
            Groups = i.Groups, AdminRoles = i.AdminRoles, Mfa = i.Mfa, KeyStatus = i.KeyStatus, AccountStatus = i.AccountStatus,
            AccountEnabled = i.AccountEnabled, LastActivitySource = i.LastActivitySource, ChangeSummary = i.ChangeSummary, Mark = i.Mark,
            Matched = i.PersonId != null,
            DeferredAtSignOff = i.DeferredAtSignOff,
        };

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";

    /// <summary>
    /// What a bulk keep would keep for the person now: their undecided, unflagged accounts that are unchanged since the
    /// previous review, or, in a first review (nothing to compare with), every unflagged one.
    /// </summary>
    public async Task<BulkKeepSet> BulkKeepSetAsync(int reviewId, Person person, CancellationToken cancellationToken)
    {
        var firstReview = await db.Set<AccessReview>().Where(r => r.Id == reviewId).Select(r => r.PreviousReviewId == null).SingleOrDefaultAsync(cancellationToken);
        var rows = await Items.AsNoTracking()
            .Where(i => i.ReviewId == reviewId && i.AssigneeId == person.Id && i.Decision == AccessDecision.Pending
                && (firstReview || i.Change == AccountChange.Unchanged) && i.Flags == AccountFlags.None && i.PersonId != person.Id)
            .OrderBy(i => i.AccountId).Select(i => new { i.Id, i.AccountId }).ToListAsync(cancellationToken);
        var fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", rows.Select(r => r.Id)))))[..16];
        return new BulkKeepSet([.. rows.Select(r => r.Id)], [.. rows.Select(r => r.AccountId)], firstReview, fingerprint);
    }

    /// <summary>
    /// Keeps exactly the set the person confirmed (<paramref name="fingerprint"/> of <see cref="BulkKeepSetAsync"/>) in one
    /// set-based update, audited as one event; when the set changed since the confirmation was shown, nothing is kept.
    /// </summary>
    public async Task<DecisionOutcome> KeepAllAsync(int reviewId, Person person, string fingerprint, CancellationToken cancellationToken)
    {
        var review = await db.Set<AccessReview>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken);
        if (review is null)
        {
            return new DecisionOutcome(false, "I couldn't find that review any more.", 0);
        }

        if (review.LockedMessage is { } locked)
        {
            return new DecisionOutcome(false, locked, reviewId);
        }

        var set = await BulkKeepSetAsync(reviewId, person, cancellationToken);
        if (set.ItemIds.Count == 0)
        {
            return new DecisionOutcome(false, "There were no undecided, unflagged accounts to keep.", reviewId);
        }

        if (!string.Equals(set.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            return new DecisionOutcome(false, BulkKeepChanged, reviewId);
        }

        var now = clock.GetUtcNow();
        var batch = Guid.NewGuid();
        var ids = set.ItemIds.ToList();
        var rule = set.FirstReview ? "unflagged (first review of the system)" : "unchanged since the previous review and unflagged";
        // PostgreSQL and SQL Server retry transient failures: a transaction of our own must run inside that strategy.
        var kept = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The rule and the review's status are re-checked inside the UPDATE so a bulk keep cannot land after a sign-off or a change.
            var changed = await Items
                .Where(i => ids.Contains(i.Id) && i.ReviewId == reviewId && i.AssigneeId == person.Id && i.Decision == AccessDecision.Pending
                    && i.Flags == AccountFlags.None && i.PersonId != person.Id && i.Review!.Status == AccessReviewStatus.InReview)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Decision, AccessDecision.Keep)
                    .SetProperty(i => i.DecidedById, person.Id)
                    .SetProperty(i => i.DecidedAt, now)
                    .SetProperty(i => i.Version, batch), cancellationToken);
            if (changed > 0)
            {
                // The batch id marks exactly the rows this statement changed, so the audit event lists them and nothing else.
                var accounts = await Items.Where(i => i.ReviewId == reviewId && i.Version == batch).OrderBy(i => i.AccountId).Select(i => i.AccountId).ToListAsync(cancellationToken);
                audit.Record(person.Email, "access-review.bulk-kept", Subject(review), new()
                {
                    ["count"] = changed.ToString(CultureInfo.InvariantCulture),
                    ["rule"] = rule,
                    ["confirmed"] = fingerprint,
                    ["accounts"] = string.Join(",", accounts),
                });
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return changed;
        });
        return new DecisionOutcome(kept > 0, kept == 0 ? "There were no undecided, unflagged accounts to keep." : $"Kept {kept} {(set.FirstReview ? "unflagged" : "unchanged, unflagged")} account{(kept == 1 ? "" : "s")}.", reviewId);
    }

    public const string BulkKeepChanged = "The accounts a bulk keep would include changed since you saw the list; here it is again.";

    /// <summary>The attestation text for the review as it stands; deferred accounts are named with their follow-up's due date.</summary>
    public static string Statement(AccessReview review, ReviewProgress progress, DateOnly? followUpDue = null) =>
        AccessReview.StatementFor(review.SystemName, review.Period, progress.Total, progress.Kept, progress.Revoked, progress.Deferred, followUpDue);

    /// <summary>The attestation text a sign-off now would record (what its confirmation shows).</summary>
    public string SignOffStatement(AccessReview review, ReviewProgress progress) =>
        Statement(review, progress, progress.Deferred > 0 ? FollowUpDue(clock.GetUtcNow()) : null);

    /// <summary>When the accounts deferred at a sign-off made at <paramref name="signedOffAt"/> are to be decided.</summary>
    private DateOnly FollowUpDue(DateTimeOffset signedOffAt) =>
        DateOnly.FromDateTime(signedOffAt.UtcDateTime).AddDays(options.Value.DeferredFollowUpDays);

    /// <summary>Who carries out the system's revocations: its admin, else its owner, else the reviewer.</summary>
    private async Task<Person> SystemAdminAsync(AccessReview review, CancellationToken cancellationToken)
    {
        var system = await db.Systems.AsNoTracking().SingleAsync(s => s.Name == review.SystemName, cancellationToken);
        var adminId = system.AdminId ?? system.OwnerId ?? review.ReviewerId;
        return await db.People.AsNoTracking().SingleAsync(p => p.Id == adminId, cancellationToken);
    }

    /// <summary>
    /// Locks the decisions, opens a follow-up for each revocation with the system admin and for each deferred account with its
    /// holder, and completes at once when nothing is to revoke or decide.
    /// </summary>
    public Task<DecisionOutcome> SignOffAsync(int reviewId, Person person, ChannelKind channel, MessageRef? source, CancellationToken cancellationToken) =>
        // PostgreSQL and SQL Server retry transient failures: a transaction of our own must run inside that strategy.
        db.Database.CreateExecutionStrategy().ExecuteAsync(() => SignOffOnceAsync(reviewId, person, channel, source, cancellationToken));

    private async Task<DecisionOutcome> SignOffOnceAsync(int reviewId, Person person, ChannelKind channel, MessageRef? source, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var review = await db.Set<AccessReview>().SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken);
        if (review is null)
        {
            return new DecisionOutcome(false, "I couldn't find that review any more.", 0);
        }

        if (review.ReviewerId != person.Id)
        {
            await transaction.RollbackAsync(cancellationToken);
            return await RefusedAsync(review, person, "sign off", new AccessReviewRuleException($"Only the reviewer of the {review.SystemName} review can sign it off."), [], cancellationToken);
        }

        var progress = await ProgressAsync(reviewId, person.Id, cancellationToken);
        if (!progress.ReadyToSignOff)
        {
            var open = progress.Total - progress.Decided - progress.Deferred;
            return new DecisionOutcome(false, $"{open} account(s) are still undecided ({progress.Decided}/{progress.Total} decided); every account needs Keep, Revoke or Defer before sign-off.", reviewId);
        }

        var now = clock.GetUtcNow();
        DateOnly? followUpDue = progress.Deferred > 0 ? FollowUpDue(now) : null;
        var statement = Statement(review, progress, followUpDue);
        try
        {
            review.SignOff(person, statement, now, followUpDue);
        }
        catch (AccessReviewRuleException ex)
        {
            await transaction.RollbackAsync(cancellationToken);
            return await RefusedAsync(review, person, "sign off", ex, [], cancellationToken);
        }

        var admin = await SystemAdminAsync(review, cancellationToken);
        var adminId = admin.Id;
        var revokeIds = await Items.Where(i => i.ReviewId == reviewId && i.Decision == AccessDecision.Revoke).Select(i => i.Id).ToListAsync(cancellationToken);
        var due = DateOnly.FromDateTime(now.UtcDateTime).AddDays(options.Value.RevocationDueDays);
        db.AddRange(revokeIds.Select(id => new AccessRevocation { ReviewId = reviewId, ItemId = id, AssigneeId = adminId, CreatedAt = now, DueDate = due }));
        var followUpDeciders = await Items.Where(i => i.ReviewId == reviewId && i.Decision == AccessDecision.Deferred)
            .GroupBy(i => i.AssigneeId).Select(g => new { AssigneeId = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        foreach (var decider in followUpDeciders.Where(d => d.AssigneeId != person.Id))
        {
            // The reviewer hears it in the sign-off's reply; anyone else holding a deferred account (the reviewer's manager) is told.
            var holder = await db.People.AsNoTracking().SingleAsync(p => p.Id == decider.AssigneeId, cancellationToken);
            Notify(holder, new Reply(
                $"{person.Name} signed off the {review.SystemName} access review for {review.Period}. {decider.Count} account{(decider.Count == 1 ? " you deferred is" : "s you deferred are")} " +
                $"still yours to keep or revoke by {followUpDue?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}.")
            {
                Title = $"{review.SystemName} access review — {review.Period}",
                Actions = [StartButton(reviewId)],
            }, $"{Subject(review)}:follow-up:{decider.AssigneeId}", Subject(review));
        }

        if (revokeIds.Count > 0)
        {
            // Saved with the sign-off: the admin hears about the revocations exactly when they exist.
            Notify(admin, new Reply(
                $"{person.Name} signed off the {review.SystemName} access review for {review.Period}: {revokeIds.Count} account{(revokeIds.Count == 1 ? "" : "s")} to revoke by {due.ToString("d MMM", CultureInfo.InvariantCulture)}. " +
                "Remove each one and confirm it here with a note or ticket link.")
            {
                Title = $"{review.SystemName} revocations — {review.Period}",
                Actions = [new ReplyAction(AccessReviewFlow.RevocationsAction, "Show revocations", AccessReviewFlow.Data(("review", reviewId)), ActionStyle.Primary)],
            }, $"{Subject(review)}:revocations", Subject(review));
        }

        audit.Record(person.Email, "access-review.signed-off", Subject(review), new()
        {
            ["statement"] = statement,
            ["accounts"] = progress.Total.ToString(CultureInfo.InvariantCulture),
            ["kept"] = progress.Kept.ToString(CultureInfo.InvariantCulture),
            ["revoked"] = progress.Revoked.ToString(CultureInfo.InvariantCulture),
            ["deferred"] = progress.Deferred.ToString(CultureInfo.InvariantCulture),
            ["follow_up_due"] = followUpDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Nothing of this sign-off may ride along with a later save of the same turn (its notice least of all).
            db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList().ForEach(e => e.State = EntityState.Detached);
            return new DecisionOutcome(false, $"The {review.SystemName} review for {review.Period} was just signed off.", reviewId);
        }

        // The deferred accounts carry to the follow-up: the only ones still decidable after sign-off.
        var deferred = await Items.Where(i => i.ReviewId == reviewId && i.Decision == AccessDecision.Deferred)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.DeferredAtSignOff, true), cancellationToken);
        // Any decision still in flight was read at the old item versions and now fails instead of changing a signed-off review.
        var locked = Guid.NewGuid();
        await Items.Where(i => i.ReviewId == reviewId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Version, locked), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        await AttestAsync(review, person, statement, revokeIds.Count, deferred, followUpDue, channel, source, cancellationToken);
        if (revokeIds.Count == 0 && deferred == 0)
        {
            await CompleteIfDoneAsync(reviewId, person, channel, cancellationToken);
            return new DecisionOutcome(true, $"Signed off: {statement} Nothing to revoke, so the review is complete and its report is stored as evidence.", reviewId);
        }

        await outbox.DeliverAsync(cancellationToken);
        var waiting = new List<string>();
        if (revokeIds.Count > 0)
        {
            await reminders.PlanRevocationsAsync(reviewId, adminId, due, cancellationToken);
            waiting.Add($"{admin.Name} has {revokeIds.Count} revocation(s) to carry out");
        }

        if (deferred > 0)
        {
            foreach (var decider in followUpDeciders)
            {
                await reminders.PlanFollowUpAsync(review, decider.AssigneeId, cancellationToken);
            }

            waiting.Add($"{deferred} deferred account{(deferred == 1 ? " is" : "s are")} to decide by {followUpDue?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}");
        }

        var until = (revokeIds.Count > 0, deferred > 0) switch
        {
            (true, true) => "the revocations are confirmed and the deferred accounts decided",
            (true, false) => "they are confirmed",
            _ => "they are decided",
        };
        return new DecisionOutcome(true, $"Signed off: {statement} {string.Join("; ", waiting)}; the review completes when {until}.", reviewId);
    }

    /// <summary>The person's open revocation follow-ups of a review, with the accounts (one query).</summary>
    public async Task<IReadOnlyList<RevocationView>> OpenRevocationsAsync(int reviewId, Person person, CancellationToken cancellationToken) =>
        await db.Set<AccessRevocation>().AsNoTracking()
            .Where(r => r.ReviewId == reviewId && r.AssigneeId == person.Id && r.ConfirmedAt == null)
            .OrderBy(r => r.Item!.AccountId).Take(PageSize)
            .Select(r => new RevocationView(r.Id, r.Item!.AccountId, r.Item.DisplayName, r.Item.Role, r.Item.Reason, r.DueDate))
            .ToListAsync(cancellationToken);

    public async Task<int> OpenRevocationCountAsync(int reviewId, Person person, CancellationToken cancellationToken) =>
        await db.Set<AccessRevocation>().CountAsync(r => r.ReviewId == reviewId && r.AssigneeId == person.Id && r.ConfirmedAt == null, cancellationToken);

    public async Task<DecisionOutcome> ConfirmRevocationAsync(long revocationId, string? note, Person person, ChannelKind channel, CancellationToken cancellationToken)
    {
        var revocation = await db.Set<AccessRevocation>().Include(r => r.Review).Include(r => r.Item).SingleOrDefaultAsync(r => r.Id == revocationId, cancellationToken);
        if (revocation?.Review is not { } review)
        {
            return new DecisionOutcome(false, "I couldn't find that revocation any more.", 0);
        }

        try
        {
            revocation.Confirm(person, note, clock.GetUtcNow());
            audit.Record(person.Email, "access-review.revocation-confirmed", Subject(review), new() { ["account"] = revocation.Item!.AccountId, ["note"] = revocation.Note });
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (AccessReviewRuleException ex)
        {
            db.ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).ToList().ForEach(e => e.State = EntityState.Detached);
            return await RefusedAsync(review, person, "confirm a revocation", ex, new() { ["account"] = revocation.Item!.AccountId }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added && e.Entity is AuditEvent or OutboxMessage).ToList().ForEach(e => e.State = EntityState.Detached);
            return new DecisionOutcome(false, "That revocation was just confirmed.", review.Id);
        }

        var completed = await CompleteIfDoneAsync(review.Id, person, channel, cancellationToken);
        return new DecisionOutcome(true, completed
            ? $"Confirmed {revocation.Item.AccountId}. That was the last one: the {review.SystemName} review for {review.Period} is complete and its report is stored as evidence."
            : $"Confirmed {revocation.Item.AccountId}.", review.Id);
    }

    /// <summary>
    /// Completes a signed-off review whose revocations are all confirmed and deferred accounts all decided: the report goes into the evidence store and
    /// onto the control task's evidence with its SHA-256 (so the auditor export carries it), and the review is closed.
    /// </summary>
    public async Task<bool> CompleteIfDoneAsync(int reviewId, Person by, ChannelKind channel, CancellationToken cancellationToken)
    {
        var review = await db.Set<AccessReview>().SingleAsync(r => r.Id == reviewId, cancellationToken);
        // A follow-up Revoke adds its revocation in the same save as its decision, so no moment shows neither open.
        if (review.Status != AccessReviewStatus.SignedOff
            || await db.Set<AccessRevocation>().AnyAsync(r => r.ReviewId == reviewId && r.ConfirmedAt == null, cancellationToken)
            || await Items.AnyAsync(i => i.ReviewId == reviewId && i.Decision == AccessDecision.Deferred, cancellationToken))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var stored = await report.StoreAsync(review, cancellationToken);
        review.Complete(stored.Sha256, now);
        var fileName = AccessReviewReport.FileName(review);
        if (review.TaskId is { } taskId && !await db.EvidenceItems.AnyAsync(e => e.TaskId == taskId && e.Sha256 == stored.Sha256, cancellationToken))
        {
            db.EvidenceItems.Add(new EvidenceItem
            {
                TaskId = taskId,
                UploadedById = by.Id,
                UploadedAt = now,
                Channel = channel,
                FileName = fileName,
                ContentType = "text/csv",
                Length = stored.Length,
                Sha256 = stored.Sha256,
            });
        }

        audit.Record(by.Email, "access-review.completed", Subject(review), new()
        {
            ["report"] = fileName,
            ["sha256"] = stored.Sha256,
            ["bytes"] = stored.Length.ToString(CultureInfo.InvariantCulture),
            ["task"] = review.TaskId?.ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.IsUniqueViolation())
        {
            // Another host completed it at the same moment; its record (the same bytes, so the same hash) stands.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>
    /// The sign-off is the reviewer's attestation on the access-review control's task, recorded through the attestation
    /// service when the reviewer may attest it (the assignee or a delegate); otherwise the task waits for its assignee.
    /// </summary>
    private async Task AttestAsync(
        AccessReview review, Person reviewer, string statement, int revocations, int deferred, DateOnly? followUpDue, ChannelKind channel, MessageRef? source, CancellationToken cancellationToken)
    {
        if (review.TaskId is not { } taskId || await db.ControlTasks.Include(t => t.Assignee).SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken) is not { } task
            || !await attestor.MayActForAsync(reviewer, task, cancellationToken))
        {
            return;
        }

        var notes = revocations == 0 ? "No access to revoke." : $"{revocations} revocation(s) handed to the system admin; the review report lists their confirmations.";
        if (deferred > 0)
        {
            notes += $" {deferred} account(s) deferred to a follow-up due {followUpDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}; the review report shows how each was decided.";
        }

        var result = await attestor.AttestAsync(reviewer, new AttestationRequest(taskId, AttestationOutcome.Performed, statement, notes, Subject(review), channel, source, ThroughFlow: Controls.EvidenceFlows.AccessReview), cancellationToken);
        if (result is not (AttestationResult.Recorded or AttestationResult.AlreadyRecorded))
        {
            logger.LogWarning("The sign-off of {Subject} was not recorded as an attestation: {Result}", Subject(review), result);
        }
    }

    public static string Subject(AccessReview review) => $"access-review:{review.SystemName}/{review.Period}";

    public static string Describe(AccessDecision decision) => decision switch
    {
        AccessDecision.Keep => "keep",
        AccessDecision.Revoke => "revoke",
        AccessDecision.Deferred => "deferred",
        AccessDecision.Escalated => "escalated",
        _ => "undecided",
    };

    public static ReplyAction StartButton(int reviewId) => new(AccessReviewFlow.StartAction, "Start", AccessReviewFlow.Data(("review", reviewId)), ActionStyle.Primary);

    /// <param name="alreadyRecorded">
    /// The message when the item already holds this change (the same click again: a double click, or the channel
    /// redelivering it, possibly to another host), checked before writing and again after losing a race.
    /// </param>
    /// <param name="locked">Why the item cannot change now (the review's lock, or the follow-up's), null when it can.</param>
    private async Task<DecisionOutcome> WriteAsync(
        AccessReviewItem item, Person actor, Guid? seenVersion, string? locked, Func<string?> alreadyRecorded, Func<string> change, CancellationToken cancellationToken)
    {
        var reviewId = item.ReviewId;
        if (locked is not null)
        {
            return new DecisionOutcome(false, locked, reviewId);
        }

        if (alreadyRecorded() is { } recorded)
        {
            return new DecisionOutcome(false, recorded, reviewId);
        }

        if (seenVersion is { } seen && seen != item.Version)
        {
            return Stale(item);
        }

        string message;
        try
        {
            message = change();
        }
        catch (AccessReviewRuleException ex)
        {
            return await RefusedAsync(item.Review!, actor, "decide", ex, new() { ["account"] = item.AccountId }, cancellationToken);
        }

        if (seenVersion is { } expected)
        {
            // The UPDATE carries "WHERE Version = <what the clicker saw>", so a click that raced another loses here.
            db.Entry(item).Property(i => i.Version).OriginalValue = expected;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new DecisionOutcome(true, message, reviewId);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added && e.Entity is AuditEvent or OutboxMessage or AccessRevocation).ToList().ForEach(e => e.State = EntityState.Detached);
            var entry = db.Entry(item);
            await entry.ReloadAsync(cancellationToken);
            return alreadyRecorded() is { } raced ? new DecisionOutcome(false, raced, reviewId) : Stale(item);
        }
    }

    /// <summary>A refused attempt (someone else's account, one's own account, sign-off by a non-reviewer) is audited like every other flow's refusals.</summary>
    private async Task<DecisionOutcome> RefusedAsync(AccessReview review, Person person, string attempted, AccessReviewRuleException refusal, Dictionary<string, string?> data, CancellationToken cancellationToken)
    {
        // Only the refusal is saved: whatever the refused step had changed on tracked entities is discarded first.
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State is EntityState.Modified or EntityState.Added).ToList())
        {
            if (entry.State == EntityState.Added)
            {
                entry.State = EntityState.Detached;
            }
            else
            {
                entry.CurrentValues.SetValues(entry.OriginalValues);
                entry.State = EntityState.Unchanged;
            }
        }

        data["attempted"] = attempted;
        data["reason"] = refusal.Message;
        audit.Record(person.Email, "access-review.refused", Subject(review), data);
        await db.SaveChangesAsync(cancellationToken);
        return new DecisionOutcome(false, refusal.Message, review.Id);
    }

    private static DecisionOutcome Stale(AccessReviewItem item) =>
        new(false, $"{item.AccountId} changed while you were looking (now: {Describe(item.Decision)}). Here is the current page; decide again if you meant otherwise.", item.ReviewId);

    private async Task<Person?> EscalationTargetAsync(AccessReview review, Person from, int? accountPersonId, CancellationToken cancellationToken)
    {
        var ownerManagerId = await db.Systems.Where(s => s.Name == review.SystemName).Select(s => s.Owner!.ManagerId).SingleOrDefaultAsync(cancellationToken);
        foreach (var id in new[] { ownerManagerId, from.ManagerId }.OfType<int>().Where(id => id != from.Id && id != accountPersonId))
        {
            if (await db.People.SingleOrDefaultAsync(p => p.Id == id && p.Status == PersonStatus.Active, cancellationToken) is { } person)
            {
                return person;
            }
        }

        return null;
    }

    /// <summary>A notice about the review, added to the unit of work of the change it announces (the caller saves).</summary>
    private void Notify(Person person, Reply reply, string key, string subject) =>
        outbox.ToPerson(person, reply, key, "access-review.notice", subject);
}

/// <summary>A question someone is waiting for this person to answer.</summary>
public sealed record OpenQuestion(AccessReview Review, AccessReviewItem Item, Person AskedBy, string Question);

public sealed record RevocationView(long Id, string AccountId, string DisplayName, string Role, string? Reason, DateOnly DueDate);
