using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.AccessReviews;

/// <summary>A follow-up for the system admin: remove an account the reviewer decided to revoke, then confirm with a note.</summary>
public sealed class AccessRevocation
{
    public long Id { get; private set; }
    public int ReviewId { get; init; }
    public AccessReview? Review { get; set; }
    public long ItemId { get; init; }
    public AccessReviewItem? Item { get; set; }
    public int AssigneeId { get; init; }
    public Person? Assignee { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateOnly DueDate { get; init; }
    public DateTimeOffset? ConfirmedAt { get; private set; }
    public int? ConfirmedById { get; private set; }
    public Person? ConfirmedBy { get; set; }

    /// <summary>What was done: a ticket link, a command, a note.</summary>
    public string? Note { get; private set; }

    public Guid Version { get; private set; } = Guid.NewGuid();

    /// <summary>The next review of the system, whose import checked that the account is gone.</summary>
    public int? VerifiedInReviewId { get; private set; }

    /// <summary>What that check found: true when the account was still present and enabled.</summary>
    public bool? StillPresentAtVerification { get; private set; }

    /// <summary>Records the next quarter's check of this revocation against the new export.</summary>
    public void Verify(int reviewId, bool stillPresent)
    {
        VerifiedInReviewId = reviewId;
        StillPresentAtVerification = stillPresent;
        Version = Guid.NewGuid();
    }

    public bool IsDone => ConfirmedAt is not null;

    public void Confirm(Person by, string? note, DateTimeOffset at)
    {
        if (IsDone)
        {
            throw new AccessReviewRuleException("This revocation is already confirmed.");
        }

        if (by.Id != AssigneeId)
        {
            throw new AccessReviewRuleException("Only the system admin it was assigned to can confirm this revocation.");
        }

        if (string.IsNullOrWhiteSpace(note))
        {
            throw new AccessReviewRuleException("Say what was done (a ticket link or a short note), so the auditor can follow it.");
        }

        ConfirmedAt = at;
        ConfirmedById = by.Id;
        Note = note.Trim();
        Version = Guid.NewGuid();
    }
}

internal sealed class AccessRevocationConfiguration : IEntityTypeConfiguration<AccessRevocation>
{
    public void Configure(EntityTypeBuilder<AccessRevocation> builder)
    {
        builder.HasIndex(r => r.ItemId).IsUnique();
        builder.HasIndex(r => new { r.ReviewId, r.ConfirmedAt });
        builder.HasIndex(r => new { r.AssigneeId, r.ConfirmedAt });
        builder.Property(r => r.Note).HasMaxLength(2000);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasOne(r => r.Review).WithMany().HasForeignKey(r => r.ReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(r => r.Item).WithMany().HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.Assignee).WithMany().HasForeignKey(r => r.AssigneeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.ConfirmedBy).WithMany().HasForeignKey(r => r.ConfirmedById).OnDelete(DeleteBehavior.Restrict);
    }
}
