using System.Text.Json;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.AccessReviews.Imports;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.AccessReviews;

/// <summary>How an account compares with the same system's previous review.</summary>
public enum AccountChange
{
    /// <summary>Not in the previous review (or there was none).</summary>
    New,

    /// <summary>In the previous review with a different role or entitlements.</summary>
    Changed,

    /// <summary>In the previous review with the same role and entitlements.</summary>
    Unchanged,
}

/// <summary>Why an account deserves a closer look. Stored as bits so "unflagged" is one comparison in SQL.</summary>
[Flags]
public enum AccountFlags
{
    None = 0,

    /// <summary>The directory says the account's person left (a leaver, or deleted from the directory).</summary>
    Terminated = 1,

    /// <summary>No login within the dormancy window (or never).</summary>
    Dormant = 2,

    /// <summary>An admin-like role.</summary>
    Privileged = 4,

    /// <summary>The reviewer's own account: decided by their manager, never by them.</summary>
    Self = 8,

    /// <summary>The email matches nobody in the directory: not proof of a leaver, but nobody vouches for the account.</summary>
    Unmatched = 16,

    /// <summary>Revoked in the previous review of the system, yet still present (and enabled) in this export.</summary>
    StillPresent = 32,
}

public enum AccessDecision
{
    Pending,
    Keep,
    Revoke,

    /// <summary>Put aside for later; still undecided. Does not block sign-off: it carries to a follow-up with a due date.</summary>
    Deferred,

    /// <summary>A question about the account is out with someone (see <see cref="AccessReviewEscalation"/>); still undecided.</summary>
    Escalated,
}

/// <summary>One account of the snapshot and its decision. The snapshot columns never change after import.</summary>
public sealed class AccessReviewItem
{
    public long Id { get; private set; }
    public int ReviewId { get; init; }
    public AccessReview? Review { get; set; }
    public required string AccountId { get; init; }
    public string DisplayName { get; init; } = "";
    public string Email { get; init; } = "";
    public string Role { get; init; } = "";
    public DateTimeOffset? LastLogin { get; init; }

    /// <summary>The CSV's extra columns as a JSON object (column → value).</summary>
    public string Entitlements { get; init; } = "{}";

    /// <summary>Groups or teams the account is in, as a JSON array ("AWS-Prod-Admin").</summary>
    public string Groups { get; init; } = "[]";

    /// <summary>Administrator roles held in the system, as a JSON array ("Super Administrator").</summary>
    public string AdminRoles { get; init; } = "[]";

    /// <summary>Whether the account has MFA / 2-step verification; null when the export does not say.</summary>
    public bool? Mfa { get; init; }

    /// <summary>Access keys and other credentials in words ("key 1 active, last used 2026-12-06"), when the export has them.</summary>
    public string? KeyStatus { get; init; }

    /// <summary>The source's account status as exported ("ACTIVE", "SUSPENDED", "disabled", "Guest").</summary>
    public string? AccountStatus { get; init; }

    /// <summary>False when the source says the account cannot sign in (suspended, deprovisioned, disabled).</summary>
    public bool AccountEnabled { get; init; } = true;

    /// <summary>The column the last activity came from ("access_key_1_last_used_date"); null when the export has no activity.</summary>
    public string? LastActivitySource { get; init; }

    /// <summary>What changed since the previous review, in words ("role member → admin; added to AWS-Prod-Admin").</summary>
    public string? ChangeSummary { get; init; }

    /// <summary>The directory person the account belongs to, matched by email, SAML NameID/UPN, login or alias.</summary>
    public int? PersonId { get; private set; }

    /// <summary>How <see cref="PersonId"/> was found: email, nameid, upn, login, alias.</summary>
    public string? MatchedBy { get; private set; }

    /// <summary>A remembered mark (service account, external, shared, not a person); null for a person's own account.</summary>
    public AccountMarkKind? Mark { get; private set; }

    /// <summary>Who answers for a marked account.</summary>
    public int? OwnerId { get; private set; }

    public AccountChange Change { get; init; }
    public AccountFlags Flags { get; private set; }

    /// <summary>0 flagged, 1 new or changed, 2 unchanged: pages show what needs attention first.</summary>
    public int SortGroup { get; private set; }

    /// <summary>Who may decide now: the reviewer, or their manager for the reviewer's own account, or whoever it was escalated to.</summary>
    public int AssigneeId { get; private set; }
    public Person? Assignee { get; set; }

    public AccessDecision Decision { get; private set; } = AccessDecision.Pending;
    public string? Reason { get; private set; }
    public int? DecidedById { get; private set; }
    public Person? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; private set; }

    /// <summary>Optimistic concurrency: two clicks racing on one item end in one recorded decision.</summary>
    public Guid Version { get; private set; } = Guid.NewGuid();

    /// <summary>Deferred when the review was signed off: carried to the follow-up (set by the sign-off, never cleared).</summary>
    public bool DeferredAtSignOff { get; private set; }

    public bool IsDecided => Decision is AccessDecision.Keep or AccessDecision.Revoke;

    /// <summary>Deferred at sign-off and not decided since: its assignee may still keep or revoke it, and the review waits for it.</summary>
    public bool IsOpenFollowUp => DeferredAtSignOff && Decision == AccessDecision.Deferred;

    /// <summary>
    /// Why <paramref name="decision"/> cannot be recorded on this account now (null when it can): a signed-off review is
    /// locked except for Keep or Revoke on an account deferred at sign-off.
    /// </summary>
    public string? LockedMessageFor(AccessDecision? decision)
    {
        if (Review?.LockedMessage is not { } locked)
        {
            return null;
        }

        if (IsOpenFollowUp && decision is AccessDecision.Keep or AccessDecision.Revoke)
        {
            return null;
        }

        return IsOpenFollowUp ? $"{AccountId} was deferred at sign-off; keep or revoke it by {Review.FollowUpDue?.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture)}." : locked;
    }

    public static int SortGroupFor(AccountFlags flags, AccountChange change) =>
        flags != AccountFlags.None ? 0 : change == AccountChange.Unchanged ? 2 : 1;

    public static AccessReviewItem Create(AccountRow row, AccountIdentity identity, AccountChange change, string? changeSummary, AccountFlags flags, int assigneeId) => new()
    {
        AccountId = row.AccountId,
        DisplayName = row.DisplayName,
        Email = row.Email,
        Role = row.Role,
        LastLogin = row.LastLogin,
        Entitlements = row.EntitlementsJson,
        Groups = JsonSerializer.Serialize(row.Groups),
        AdminRoles = JsonSerializer.Serialize(row.AdminRoles),
        Mfa = row.Mfa,
        KeyStatus = row.KeyStatus,
        AccountStatus = row.Status,
        AccountEnabled = row.Enabled,
        LastActivitySource = row.LastActivitySource,
        ChangeSummary = changeSummary,
        PersonId = identity.PersonId,
        MatchedBy = identity.MatchedBy,
        Mark = identity.Mark,
        OwnerId = identity.OwnerId,
        Change = change,
        Flags = flags,
        SortGroup = SortGroupFor(flags, change),
        AssigneeId = assigneeId,
    };

    /// <summary>The groups as a list (stored as a JSON array).</summary>
    public IReadOnlyList<string> GroupList => JsonSerializer.Deserialize<List<string>>(Groups) ?? [];

    /// <summary>The admin roles as a list (stored as a JSON array).</summary>
    public IReadOnlyList<string> AdminRoleList => JsonSerializer.Deserialize<List<string>>(AdminRoles) ?? [];

    /// <summary>
    /// Someone said who the account belongs to ("this is Priya") while the review is open: the person is recorded, the
    /// unmatched/terminated flags follow the directory, and the reviewer's own account goes to <paramref name="selfDecider"/>.
    /// </summary>
    public void Identify(Person person, string matchedBy, int reviewerId, Person selfDecider)
    {
        EnsureOpenAndUndecided();
        PersonId = person.Id;
        MatchedBy = matchedBy;
        Mark = null;
        OwnerId = null;
        var flags = Flags & ~(AccountFlags.Unmatched | AccountFlags.Terminated | AccountFlags.Self);
        flags |= person.IsActive ? AccountFlags.None : AccountFlags.Terminated;
        if (person.Id == reviewerId)
        {
            flags |= AccountFlags.Self;
            AssigneeId = selfDecider.Id;
            if (Decision == AccessDecision.Deferred)
            {
                Decision = AccessDecision.Pending;
            }
        }

        Reflag(flags);
    }

    /// <summary>Marks the account as not a person's own (service, external, shared…) with an owner; it is no longer "unmatched".</summary>
    public void MarkAs(AccountMarkKind kind, Person owner)
    {
        EnsureOpenAndUndecided();
        Mark = kind;
        OwnerId = owner.Id;
        if (PersonId is null)
        {
            Reflag(Flags & ~AccountFlags.Unmatched);
        }
    }

    private void Reflag(AccountFlags flags)
    {
        Flags = flags;
        SortGroup = SortGroupFor(flags, Change);
        Version = Guid.NewGuid();
    }

    private void EnsureOpenAndUndecided()
    {
        if (Review is { IsOpen: false } review)
        {
            throw new AccessReviewRuleException($"The {review.SystemName} review for {review.Period} is signed off; its accounts are locked.");
        }

        if (IsDecided)
        {
            throw new AccessReviewRuleException($"{AccountId} is already decided; change the decision first.");
        }
    }

    /// <summary>A draft bound to another reviewer: the account is self-reviewed or not anew, and with whom it is decided follows.</summary>
    public void BindReviewer(int reviewerId, int selfDeciderId)
    {
        var self = PersonId == reviewerId;
        var flags = self ? Flags | AccountFlags.Self : Flags & ~AccountFlags.Self;
        var assignee = self ? selfDeciderId : reviewerId;
        if (flags == Flags && assignee == AssigneeId)
        {
            return;
        }

        AssigneeId = assignee;
        Reflag(flags);
    }

    /// <summary>
    /// Records (or changes) a decision; the review must be open (or this a follow-up of an account deferred at sign-off,
    /// decided once, Keep or Revoke) and the person must be the one this item is with.
    /// </summary>
    public void Decide(AccessDecision decision, string? reason, Person decider, DateTimeOffset at)
    {
        EnsureDecidableBy(decider, decision);
        if (decision is AccessDecision.Pending or AccessDecision.Escalated)
        {
            throw new ArgumentOutOfRangeException(nameof(decision), decision, "Use Escalate to hand an item on.");
        }

        if (decision == AccessDecision.Revoke && string.IsNullOrWhiteSpace(reason))
        {
            throw new AccessReviewRuleException("A revocation needs a reason.");
        }

        Decision = decision;
        Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        DecidedById = decider.Id;
        DecidedAt = at;
        Version = Guid.NewGuid();
    }

    /// <summary>True when the item already holds exactly this Keep or Revoke by this person: a repeated or redelivered click adds nothing.</summary>
    public bool Holds(AccessDecision decision, string? reason, Person decider) =>
        IsDecided && Decision == decision && DecidedById == decider.Id && Reason == (string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());

    /// <summary>An undecided item whose assignee left the directory goes to their successor; not an escalation.</summary>
    public void HandOver(Person successor)
    {
        if (IsDecided)
        {
            throw new AccessReviewRuleException($"{AccountId} is decided; it keeps who decided it.");
        }

        AssigneeId = successor.Id;
        Version = Guid.NewGuid();
    }

    /// <summary>Why <paramref name="to"/> cannot be asked about this account by <paramref name="from"/>; null when they can.</summary>
    public string? EscalationRefusal(Person from, Person to)
    {
        if (to.Id == from.Id)
        {
            return $"You can't escalate {AccountId} to yourself; choose someone who knows the account.";
        }

        if (to.Id == PersonId)
        {
            return $"{to.Name} holds {AccountId}; ask someone else (nobody advises on their own access).";
        }

        return to.IsActive ? null : $"{to.Name} has left the company; choose someone who is still in the directory.";
    }

    /// <summary>
    /// Asks <paramref name="to"/> about the account. It stays with its decider, marked escalated (undecided), until the
    /// answer comes back; the decider may still decide at any time.
    /// </summary>
    public AccessReviewEscalation Escalate(Person from, Person to, string question, DateTimeOffset at)
    {
        EnsureDecidableBy(from);
        if (IsDecided)
        {
            throw new AccessReviewRuleException($"{AccountId} is already decided ({AccessReviewService.Describe(Decision)}); there is nothing to ask about.");
        }

        if (EscalationRefusal(from, to) is { } refusal)
        {
            throw new AccessReviewRuleException(refusal);
        }

        question = question.Trim();
        if (question.Length == 0 || question.Length > AccessReviewEscalation.MaxTextLength)
        {
            throw new AccessReviewRuleException($"Ask a question of up to {AccessReviewEscalation.MaxTextLength} characters.");
        }

        Decision = AccessDecision.Escalated;
        Reason = Cut($"asked {to.Name}: {question}");
        DecidedById = null;
        DecidedAt = null;
        Version = Guid.NewGuid();
        return new AccessReviewEscalation { ReviewId = ReviewId, ItemId = Id, Item = this, AskedById = from.Id, AskedOfId = to.Id, Question = question, AskedAt = at };
    }

    /// <summary>The answer to an escalation is back: a still-escalated account returns to its decider, undecided, with the answer on it.</summary>
    public void AnswerArrived(string summary)
    {
        if (Review?.LockedMessage is { } locked)
        {
            throw new AccessReviewRuleException(locked);
        }

        if (Decision == AccessDecision.Escalated)
        {
            Decision = AccessDecision.Pending;
            Reason = Cut(summary);
            Version = Guid.NewGuid();
        }
    }

    private static string Cut(string value) => value.Length <= 1000 ? value : value[..999] + "…";

    private void EnsureDecidableBy(Person person, AccessDecision? decision = null)
    {
        if (LockedMessageFor(decision) is { } locked)
        {
            throw new AccessReviewRuleException(locked);
        }

        if (PersonId == person.Id || (Flags.HasFlag(AccountFlags.Self) && Review?.ReviewerId == person.Id))
        {
            throw new AccessReviewRuleException($"{AccountId} is your own account, so someone else decides on it (no self-review).");
        }

        if (AssigneeId != person.Id)
        {
            throw new AccessReviewRuleException($"{AccountId} is not yours to decide in this review.");
        }
    }
}

internal sealed class AccessReviewItemConfiguration : IEntityTypeConfiguration<AccessReviewItem>
{
    public void Configure(EntityTypeBuilder<AccessReviewItem> builder)
    {
        // The unique key is the last line of defence against a duplicate account id in one snapshot.
        builder.HasIndex(i => new { i.ReviewId, i.AccountId }).IsUnique();
        // A person's page: their items of a review, flagged first; and the bulk-keep / progress filters.
        builder.HasIndex(i => new { i.ReviewId, i.AssigneeId, i.SortGroup, i.AccountId });
        builder.HasIndex(i => new { i.ReviewId, i.Decision });
        builder.Property(i => i.AccountId).HasMaxLength(256);
        builder.Property(i => i.DisplayName).HasMaxLength(256);
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.Role).HasMaxLength(256);
        builder.Property(i => i.Reason).HasMaxLength(1000);
        builder.Property(i => i.KeyStatus).HasMaxLength(500);
        builder.Property(i => i.AccountStatus).HasMaxLength(64);
        builder.Property(i => i.LastActivitySource).HasMaxLength(64);
        builder.Property(i => i.ChangeSummary).HasMaxLength(2000);
        builder.Property(i => i.MatchedBy).HasMaxLength(16);
        builder.Property(i => i.Mark).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Person>().WithMany().HasForeignKey(i => i.OwnerId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(i => i.Change).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Decision).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Version).IsConcurrencyToken();
        builder.HasOne(i => i.Review).WithMany().HasForeignKey(i => i.ReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.Assignee).WithMany().HasForeignKey(i => i.AssigneeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(i => i.DecidedBy).WithMany().HasForeignKey(i => i.DecidedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Person>().WithMany().HasForeignKey(i => i.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
