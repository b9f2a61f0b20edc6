using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.AccessReviews;

public enum AccessReviewStatus
{
    /// <summary>Decisions are being made; they can change.</summary>
    InReview,

    /// <summary>The reviewer attested; decisions are locked and revocations are with the system admin.</summary>
    SignedOff,

    /// <summary>Every revocation is confirmed; the report is stored as evidence.</summary>
    Completed,
}

/// <summary>A broken rule of an access review (deciding your own account, changing a signed-off review…); its message is for the person.</summary>
public sealed class AccessReviewRuleException(string message) : InvalidOperationException(message);

/// <summary>
/// One periodic user-access review of one system: an immutable snapshot of its accounts (the items), a reviewer,
/// a sign-off that locks the decisions, and revocation follow-ups that complete it.
/// </summary>
public sealed class AccessReview
{
    public int Id { get; private set; }
    public required string SystemName { get; init; }

    /// <summary>"2026-Q4".</summary>
    public required string Period { get; init; }

    /// <summary>The system's access-review control (AC-01 for GitHub), when the program has one.</summary>
    public string? ControlId { get; init; }

    /// <summary>That control's task for the period, which the review's report is evidence for.</summary>
    public int? TaskId { get; init; }

    public int ReviewerId { get; internal set; }
    public Person? Reviewer { get; set; }
    public DateOnly DueDate { get; init; }

    /// <summary>The review of the same system this one was compared with (new / changed / unchanged / removed).</summary>
    public int? PreviousReviewId { get; init; }

    public int AccountCount { get; init; }
    public int RemovedCount { get; init; }

    /// <summary>SHA-256 of the imported CSV, so the snapshot can be matched to the export it came from.</summary>
    public required string SourceSha256 { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The import profile the export was read with ("aws-iam-credential-report", "okta-users", "generic"…).</summary>
    public string ImportProfile { get; init; } = "generic";

    /// <summary>What the importer was told besides the file: a stated date format, a column mapping; null when nothing.</summary>
    public string? ImportSettings { get; init; }

    /// <summary>Accounts revoked in the previous review that this export shows gone (or disabled).</summary>
    public int RevokedGoneCount { get; init; }

    /// <summary>Accounts revoked in the previous review that are still present and enabled: flagged <see cref="AccountFlags.StillPresent"/>.</summary>
    public int RevokedStillPresentCount { get; init; }

    public AccessReviewStatus Status { get; private set; } = AccessReviewStatus.InReview;
    public DateTimeOffset? SignedOffAt { get; private set; }
    public int? SignedOffById { get; private set; }
    public string? SignOffStatement { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>SHA-256 of the review report, once complete: its key in the evidence store and on the task's evidence.</summary>
    public string? ReportSha256 { get; private set; }

    public Guid Version { get; private set; } = Guid.NewGuid();

    public bool IsOpen => Status == AccessReviewStatus.InReview;

    /// <summary>A reviewer who left the directory hands an open review to their successor (re-import with reassign).</summary>
    public void HandOver(Person successor)
    {
        if (!IsOpen)
        {
            throw new InvalidOperationException($"The {SystemName} review for {Period} is signed off; it keeps its reviewer.");
        }

        Reviewer = successor;
        ReviewerId = successor.Id;
    }

    /// <summary>"Q4" from "2026-Q4".</summary>
    public string Quarter => Period.Length > 5 ? Period[5..] : Period;

    public static string StatementFor(string systemName, string period, int accounts, int kept, int revoked) =>
        $"I reviewed every account of {systemName} for {period} ({accounts} accounts): {kept} kept, {revoked} to be revoked. " +
        "I confirm these decisions are correct and final.";

    /// <summary>Locks the decisions. The caller has checked (in the same statement) that every item is decided.</summary>
    public void SignOff(Person reviewer, string statement, DateTimeOffset at)
    {
        if (Status != AccessReviewStatus.InReview)
        {
            throw new AccessReviewRuleException($"The {SystemName} review for {Period} is already signed off.");
        }

        if (reviewer.Id != ReviewerId)
        {
            throw new AccessReviewRuleException($"Only the reviewer of the {SystemName} review can sign it off.");
        }

        Status = AccessReviewStatus.SignedOff;
        SignedOffAt = at;
        SignedOffById = reviewer.Id;
        SignOffStatement = statement;
        Version = Guid.NewGuid();
    }

    public void Complete(string reportSha256, DateTimeOffset at)
    {
        if (Status != AccessReviewStatus.SignedOff)
        {
            throw new AccessReviewRuleException($"The {SystemName} review for {Period} can only be completed after sign-off.");
        }

        Status = AccessReviewStatus.Completed;
        CompletedAt = at;
        ReportSha256 = reportSha256;
        Version = Guid.NewGuid();
    }
}

internal sealed class AccessReviewConfiguration : IEntityTypeConfiguration<AccessReview>
{
    public void Configure(EntityTypeBuilder<AccessReview> builder)
    {
        // One review per system and period: a re-import is refused rather than silently forking the record.
        builder.HasIndex(r => new { r.SystemName, r.Period }).IsUnique();
        builder.HasIndex(r => new { r.ReviewerId, r.Status });
        builder.Property(r => r.SystemName).HasMaxLength(200);
        builder.Property(r => r.Period).HasMaxLength(16);
        builder.Property(r => r.ControlId).HasMaxLength(32);
        builder.Property(r => r.SourceSha256).HasMaxLength(64);
        builder.Property(r => r.ReportSha256).HasMaxLength(64);
        builder.Property(r => r.CreatedBy).HasMaxLength(256);
        builder.Property(r => r.ImportProfile).HasMaxLength(64);
        builder.Property(r => r.ImportSettings).HasMaxLength(2000);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasOne(r => r.Reviewer).WithMany().HasForeignKey(r => r.ReviewerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AccessReview>().WithMany().HasForeignKey(r => r.PreviousReviewId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Tasks.ControlTask>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.Restrict);
    }
}
