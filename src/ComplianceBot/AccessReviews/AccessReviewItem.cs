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
}

public enum AccessDecision
{
    Pending,
    Keep,
    Revoke,

    /// <summary>Put aside for later; still undecided.</summary>
    Deferred,

    /// <summary>Handed to someone else (the system owner's manager) to decide; still undecided.</summary>
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

    /// <summary>The directory person the account belongs to, matched by email.</summary>
    public int? PersonId { get; init; }

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

    public bool IsDecided => Decision is AccessDecision.Keep or AccessDecision.Revoke;

    public static int SortGroupFor(AccountFlags flags, AccountChange change) =>
        flags != AccountFlags.None ? 0 : change == AccountChange.Unchanged ? 2 : 1;

    public static AccessReviewItem Create(AccountRow row, int? personId, AccountChange change, AccountFlags flags, int assigneeId) => new()
    {
        AccountId = row.AccountId,
        DisplayName = row.DisplayName,
        Email = row.Email,
        Role = row.Role,
        LastLogin = row.LastLogin,
        Entitlements = row.EntitlementsJson,
        PersonId = personId,
        Change = change,
        Flags = flags,
        SortGroup = SortGroupFor(flags, change),
        AssigneeId = assigneeId,
    };

    /// <summary>A draft bound to another reviewer: the account is self-reviewed or not anew, and with whom it is decided follows.</summary>
    public void BindReviewer(int reviewerId, int selfDeciderId)
    {
        var self = PersonId == reviewerId;
        Flags = self ? Flags | AccountFlags.Self : Flags & ~AccountFlags.Self;
        SortGroup = SortGroupFor(Flags, Change);
        AssigneeId = self ? selfDeciderId : reviewerId;
        Version = Guid.NewGuid();
    }

    /// <summary>Records (or changes) a decision; the review must be open and the person must be the one this item is with.</summary>
    public void Decide(AccessDecision decision, string? reason, Person decider, DateTimeOffset at)
    {
        EnsureDecidableBy(decider);
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

    /// <summary>Hands the item to someone else to decide; it stays undecided until they do.</summary>
    public void Escalate(Person from, Person to, DateTimeOffset at)
    {
        EnsureDecidableBy(from);
        if (to.Id == from.Id || to.Id == PersonId)
        {
            throw new AccessReviewRuleException($"There is no one else to escalate {AccountId} to.");
        }

        AssigneeId = to.Id;
        Decision = AccessDecision.Escalated;
        Reason = $"Escalated by {from.Name}";
        DecidedById = from.Id;
        DecidedAt = at;
        Version = Guid.NewGuid();
    }

    private void EnsureDecidableBy(Person person)
    {
        if (Review?.LockedMessage is { } locked)
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
        builder.Property(i => i.Change).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Decision).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Version).IsConcurrencyToken();
        builder.HasOne(i => i.Review).WithMany().HasForeignKey(i => i.ReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.Assignee).WithMany().HasForeignKey(i => i.AssigneeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(i => i.DecidedBy).WithMany().HasForeignKey(i => i.DecidedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Person>().WithMany().HasForeignKey(i => i.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
