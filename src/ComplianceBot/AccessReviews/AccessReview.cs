using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.AccessReviews;

public enum AccessReviewStatus
{
    /// <summary>Imported, not started: an admin previews it, may replace its file or rebind it; nobody has been told.</summary>
    Draft,

    /// <summary>Decisions are being made; they can change.</summary>
    InReview,

    /// <summary>The reviewer attested; decisions are locked, revocations are with the system admin and deferred accounts with their deciders.</summary>
    SignedOff,

    /// <summary>Every revocation is confirmed and every deferred account decided; the report is stored as evidence.</summary>
    Completed,

    /// <summary>Withdrawn by an admin (a draft, or a started review with a reason); kept, never deleted, and no longer blocks a new import.</summary>
    Cancelled,
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
    public string? ControlId { get; internal set; }

    /// <summary>That control's task for the period, which the review's report is evidence for.</summary>
    public int? TaskId { get; internal set; }

    public int ReviewerId { get; internal set; }
    public Person? Reviewer { get; set; }
    public DateOnly DueDate { get; internal set; }

    /// <summary>The review of the same system this one was compared with (new / changed / unchanged / removed).</summary>
    public int? PreviousReviewId { get; init; }

    public int AccountCount { get; internal set; }
    public int RemovedCount { get; internal set; }

    /// <summary>SHA-256 of the imported CSV, so the snapshot can be matched to the export it came from.</summary>
    public string SourceSha256 { get; internal set; } = "";
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The import profile the export was read with ("aws-iam-credential-report", "okta-users", "generic"…).</summary>
    public string ImportProfile { get; internal set; } = "generic";

    /// <summary>What the importer was told besides the file: a stated date format, a column mapping; null when nothing.</summary>
    public string? ImportSettings { get; internal set; }

    /// <summary>Accounts revoked in the previous review that this export shows gone (or disabled).</summary>
    public int RevokedGoneCount { get; internal set; }

    /// <summary>Accounts revoked in the previous review that are still present and enabled: flagged <see cref="AccountFlags.StillPresent"/>.</summary>
    public int RevokedStillPresentCount { get; internal set; }

    public AccessReviewStatus Status { get; private set; } = AccessReviewStatus.Draft;

    /// <summary>Why an admin let this review run against an out-of-scope system or a closed period (null: no override was needed).</summary>
    public string? OverrideReason { get; internal set; }

    public DateTimeOffset? StartedAt { get; private set; }
    public string? StartedBy { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }
    public string? CancelledBy { get; private set; }
    public string? CancelReason { get; private set; }
    public DateTimeOffset? SignedOffAt { get; private set; }
    public int? SignedOffById { get; private set; }
    public string? SignOffStatement { get; private set; }

    /// <summary>When the accounts deferred at sign-off are to be decided by (null: none were deferred).</summary>
    public DateOnly? FollowUpDue { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>SHA-256 of the review report, once complete: its key in the evidence store and on the task's evidence.</summary>
    public string? ReportSha256 { get; private set; }

    public Guid Version { get; private set; } = Guid.NewGuid();

    public bool IsOpen => Status == AccessReviewStatus.InReview;

    public bool IsDraft => Status == AccessReviewStatus.Draft;

    /// <summary>Why decisions cannot be made now, in the person's words (null while it is in review).</summary>
    public string? LockedMessage => Status switch
    {
        AccessReviewStatus.InReview => null,
        AccessReviewStatus.Draft => $"The {SystemName} review for {Period} is a draft; decisions open when an admin starts it.",
        AccessReviewStatus.Cancelled => $"The {SystemName} review for {Period} was cancelled{(CancelReason is null ? "" : $" ({CancelReason})")}; nothing is left to decide.",
        _ => $"The {SystemName} review for {Period} is signed off; its decisions are locked.",
    };

    /// <summary>Opens the decisions: from here on the reviewer is told, reminded, and may decide.</summary>
    public void Start(string actor, DateTimeOffset at)
    {
        if (!IsDraft)
        {
            throw new AccessReviewRuleException($"The {SystemName} review for {Period} is {Status.ToString().ToLowerInvariant()}, not a draft; only a draft can be started.");
        }

        if (ControlId is null)
        {
            throw new AccessReviewRuleException($"Bind the {SystemName} review to its access-review control before starting it.");
        }

        Status = AccessReviewStatus.InReview;
        StartedAt = at;
        StartedBy = actor;
        Version = Guid.NewGuid();
    }

    /// <summary>Binds the draft to the control it evidences (and that control's task for the period) and to its reviewer.</summary>
    public void Bind(string controlId, int? taskId, Person reviewer, DateOnly dueDate)
    {
        EnsureDraft("rebound");
        ControlId = controlId;
        TaskId = taskId;
        Reviewer = reviewer;
        ReviewerId = reviewer.Id;
        DueDate = dueDate;
        Version = Guid.NewGuid();
    }

    /// <summary>A corrected export replaces the draft's snapshot (the caller replaces the items in the same save).</summary>
    public void ReplaceSnapshot(string sourceSha256, string importProfile, string? importSettings)
    {
        EnsureDraft("given a new file");
        SourceSha256 = sourceSha256;
        ImportProfile = importProfile;
        ImportSettings = importSettings;
        Version = Guid.NewGuid();
    }

    private void EnsureDraft(string change)
    {
        if (!IsDraft)
        {
            throw new AccessReviewRuleException(
                $"The {SystemName} review for {Period} is {Status.ToString().ToLowerInvariant()}; only a draft can be {change}. Cancel it with a reason and import again.");
        }
    }

    /// <summary>A draft can be dropped as it is; a started review only with a reason. Signed-off reviews are evidence and stay.</summary>
    public void Cancel(string actor, string? reason, DateTimeOffset at)
    {
        if (Status is AccessReviewStatus.SignedOff or AccessReviewStatus.Completed or AccessReviewStatus.Cancelled)
        {
            throw new AccessReviewRuleException($"The {SystemName} review for {Period} is {Status.ToString().ToLowerInvariant()}; it cannot be cancelled.");
        }

        if (IsOpen && string.IsNullOrWhiteSpace(reason))
        {
            throw new AccessReviewRuleException($"The {SystemName} review for {Period} is under way; say why it is cancelled (the auditor reads it).");
        }

        Status = AccessReviewStatus.Cancelled;
        CancelledAt = at;
        CancelledBy = actor;
        CancelReason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        Version = Guid.NewGuid();
    }

    /// <summary>A reviewer who left the directory hands an open review to their successor (re-import with reassign).</summary>
    public void HandOver(Person successor)
    {
        if (!IsOpen && !IsDraft)
        {
            throw new InvalidOperationException($"The {SystemName} review for {Period} is signed off; it keeps its reviewer.");
        }

        Reviewer = successor;
        ReviewerId = successor.Id;
    }

    /// <summary>"Q4" from "2026-Q4".</summary>
    public string Quarter => Period.Length > 5 ? Period[5..] : Period;

    public static string StatementFor(string systemName, string period, int accounts, int kept, int revoked, int deferred = 0, DateOnly? followUpDue = null) =>
        deferred == 0
            ? $"I reviewed every account of {systemName} for {period} ({accounts} accounts): {kept} kept, {revoked} to be revoked. " +
              "I confirm these decisions are correct and final."
            : $"I reviewed every account of {systemName} for {period} ({accounts} accounts): {kept} kept, {revoked} to be revoked, " +
              $"{deferred} deferred to a follow-up due {followUpDue?.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture)}. " +
              "I confirm these decisions are correct and final, and that the deferred accounts are decided on the follow-up.";

    /// <summary>
    /// Locks the decisions. The caller has checked (in the same statement) that every item is kept, revoked or deferred;
    /// <paramref name="followUpDue"/> is when the deferred ones are to be decided (null when none are).
    /// </summary>
    public void SignOff(Person reviewer, string statement, DateTimeOffset at, DateOnly? followUpDue = null)
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
        FollowUpDue = followUpDue;
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
        // One live review per system and period: a re-import replaces the draft or is refused; a cancelled one steps aside.
        builder.HasIndex(r => new { r.SystemName, r.Period }).IsUnique().HasFilter("[Status] <> 'Cancelled'");
        builder.HasIndex(r => new { r.ReviewerId, r.Status });
        builder.Property(r => r.SystemName).HasMaxLength(200);
        builder.Property(r => r.Period).HasMaxLength(16);
        builder.Property(r => r.ControlId).HasMaxLength(32);
        builder.Property(r => r.SourceSha256).HasMaxLength(64);
        builder.Property(r => r.ReportSha256).HasMaxLength(64);
        builder.Property(r => r.CreatedBy).HasMaxLength(256);
        builder.Property(r => r.ImportProfile).HasMaxLength(64);
        builder.Property(r => r.ImportSettings).HasMaxLength(2000);

        builder.Property(r => r.StartedBy).HasMaxLength(256);
        builder.Property(r => r.CancelledBy).HasMaxLength(256);
        builder.Property(r => r.CancelReason).HasMaxLength(1000);
        builder.Property(r => r.OverrideReason).HasMaxLength(1000);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasOne(r => r.Reviewer).WithMany().HasForeignKey(r => r.ReviewerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AccessReview>().WithMany().HasForeignKey(r => r.PreviousReviewId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Tasks.ControlTask>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.Restrict);
    }
}
