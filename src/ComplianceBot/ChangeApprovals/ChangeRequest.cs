using ComplianceBot.Conversations;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.ChangeApprovals;

public enum ChangeRisk
{
    Low,
    Medium,
    High,
    Emergency,
}

public enum ChangeStatus
{
    Pending,
    Approved,
    Rejected,
    Expired,
    Cancelled,
}

public enum ChangeDecisionKind
{
    Approve,
    Reject,
}

/// <summary>Why an approver was asked: a change may need the manager and, for high risk, a change-advisory member too.</summary>
[Flags]
public enum ApproverRoles
{
    None = 0,
    Manager = 1,
    ChangeAdvisory = 2,
}

public sealed class ChangeAlreadyDecidedException(ChangeStatus status) : InvalidOperationException($"The change is already {status.ToString().ToLowerInvariant()}.");

/// <summary>
/// A change to a system that needs approval before (or, for an emergency, just after) it happens. Guards its own
/// rules: who may approve (segregation of duties), when it is decided, and that a decided change stays decided.
/// </summary>
public sealed class ChangeRequest
{
    public int Id { get; private set; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required string System { get; init; }
    public ChangeRisk Risk { get; init; }
    public int RequesterId { get; init; }
    public Person? Requester { get; set; }
    public int? AuthorId { get; init; }
    public Person? Author { get; set; }

    /// <summary>Links (pull request, ticket, runbook), one per line.</summary>
    public string Links { get; init; } = "";
    public string? RollbackPlan { get; init; }
    public string? TestEvidence { get; init; }
    public string? PlannedWindow { get; init; }
    public string? CallbackUrl { get; init; }

    /// <summary>Who submitted it: a person's email (chat), "… (api key N)" or "break-glass:Changes:ApiKey" (API).</summary>
    public required string SubmittedBy { get; init; }

    public ChangeStatus Status { get; private set; } = ChangeStatus.Pending;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DecidedAt { get; private set; }

    /// <summary>When an undecided change expires (for an emergency: the after-the-fact approval deadline).</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When undecided approvers are reminded (through the owner-loop ladder, in their working hours).</summary>
    public DateTimeOffset RemindAt { get; init; }

    /// <summary>The rule in force when the change was submitted, so a later configuration change does not move the goalposts.</summary>
    public bool RequiresManager { get; init; }
    public bool RequiresChangeAdvisory { get; init; }

    /// <summary>Emergency: work may proceed now; the approval is recorded after the fact.</summary>
    public bool ApprovedAfterTheFact { get; init; }

    /// <summary>Optimistic concurrency: every decision bumps it, so two racing decisions are evaluated one after the other.</summary>
    public Guid Version { get; private set; } = Guid.NewGuid();

    public List<ChangeApprover> Approvers { get; init; } = [];
    public List<ChangeDecision> Decisions { get; init; } = [];

    public bool IsPending => Status == ChangeStatus.Pending;

    /// <summary>A pipeline may deploy when approved, or at once for an emergency still awaiting its after-the-fact approval.</summary>
    public bool MayProceed => Status == ChangeStatus.Approved || (ApprovedAfterTheFact && Status == ChangeStatus.Pending);

    public string Subject => $"change:{Id}";

    /// <summary>Segregation of duties: whoever asked for or wrote the change never approves it.</summary>
    public bool IsConflicted(int personId) => personId == RequesterId || personId == AuthorId;

    public ChangeApprover? ApproverFor(int personId) => Approvers.FirstOrDefault(a => a.PersonId == personId);

    /// <summary>Reads are authorised like writes: the people on the change, change advisory, compliance admins and auditors.</summary>
    public bool MayBeViewedBy(Person person) =>
        person.Id == RequesterId || person.Id == AuthorId
        || Approvers.Any(a => a.PersonId == person.Id) || Decisions.Any(d => d.ApproverId == person.Id)
        || person.Has(PersonRoles.ChangeAdvisory) || person.Has(PersonRoles.ComplianceAdmin) || person.Has(PersonRoles.Auditor);

    public ChangeDecision? DecisionBy(int personId) => Decisions.FirstOrDefault(d => d.ApproverId == personId);

    /// <summary>Approvers who have not decided yet (while pending, they still see buttons).</summary>
    public IEnumerable<ChangeApprover> UndecidedApprovers() => Approvers.Where(a => DecisionBy(a.PersonId) is null);

    public void Record(ChangeDecision decision, DateTimeOffset at)
    {
        if (!IsPending)
        {
            throw new ChangeAlreadyDecidedException(Status);
        }

        if (IsConflicted(decision.ApproverId) || ApproverFor(decision.ApproverId) is null)
        {
            throw new InvalidOperationException("Only an invited approver who neither requested nor wrote the change may decide it.");
        }

        Decisions.Add(decision);
        Version = Guid.NewGuid();
        if (decision.Decision == ChangeDecisionKind.Reject)
        {
            Close(ChangeStatus.Rejected, at);
        }
        else if (IsFullyApproved())
        {
            Close(ChangeStatus.Approved, at);
        }
    }

    public void Expire(DateTimeOffset at) => Close(ChangeStatus.Expired, at);

    public void Cancel(DateTimeOffset at) => Close(ChangeStatus.Cancelled, at);

    /// <summary>Every required role approved, by distinct people: the manager's approval never also counts as the advisory one.</summary>
    public bool IsFullyApproved()
    {
        var approvals = Decisions.Where(d => d.Decision == ChangeDecisionKind.Approve).ToList();
        var manager = Approvers.FirstOrDefault(a => a.Roles.HasFlag(ApproverRoles.Manager));
        var managerOk = !RequiresManager || (manager is not null && approvals.Any(d => d.ApproverId == manager.PersonId));
        var advisoryOk = !RequiresChangeAdvisory || approvals.Any(d =>
            d.ApproverId != manager?.PersonId && ApproverFor(d.ApproverId) is { } a && a.Roles.HasFlag(ApproverRoles.ChangeAdvisory));
        return managerOk && advisoryOk;
    }

    private void Close(ChangeStatus status, DateTimeOffset at)
    {
        if (!IsPending)
        {
            throw new ChangeAlreadyDecidedException(Status);
        }

        Status = status;
        DecidedAt = at;
        Version = Guid.NewGuid();
    }
}

/// <summary>A person invited to decide a change, and in which capacity.</summary>
public sealed class ChangeApprover
{
    public int Id { get; private set; }
    public int ChangeId { get; init; }
    public int PersonId { get; init; }
    public Person? Person { get; set; }
    public ApproverRoles Roles { get; set; }
}

/// <summary>One approver's decision; unique per (change, approver), so a double click cannot record two.</summary>
public sealed class ChangeDecision
{
    public int Id { get; private set; }
    public int ChangeId { get; init; }
    public int ApproverId { get; init; }
    public Person? Approver { get; set; }
    public ChangeDecisionKind Decision { get; init; }
    public string? Comment { get; init; }
    public DateTimeOffset DecidedAt { get; init; }
    public ChannelKind? Channel { get; init; }
}

internal sealed class ChangeRequestConfiguration : IEntityTypeConfiguration<ChangeRequest>
{
    public void Configure(EntityTypeBuilder<ChangeRequest> builder)
    {
        builder.ToTable("ChangeRequests");
        builder.Property(c => c.Title).HasMaxLength(200);
        builder.Property(c => c.Description).HasMaxLength(4000);
        builder.Property(c => c.System).HasMaxLength(200);
        builder.Property(c => c.Links).HasMaxLength(4000);
        builder.Property(c => c.RollbackPlan).HasMaxLength(4000);
        builder.Property(c => c.TestEvidence).HasMaxLength(4000);
        builder.Property(c => c.PlannedWindow).HasMaxLength(200);
        builder.Property(c => c.CallbackUrl).HasMaxLength(2000);
        builder.Property(c => c.SubmittedBy).HasMaxLength(256);
        builder.Property(c => c.Risk).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Version).IsConcurrencyToken();
        // The sweeper looks for pending changes past their expiry.
        builder.HasIndex(c => new { c.Status, c.ExpiresAt });
        builder.HasOne(c => c.Requester).WithMany().HasForeignKey(c => c.RequesterId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(c => c.Author).WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Approvers).WithOne().HasForeignKey(a => a.ChangeId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Decisions).WithOne().HasForeignKey(d => d.ChangeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChangeApproverConfiguration : IEntityTypeConfiguration<ChangeApprover>
{
    public void Configure(EntityTypeBuilder<ChangeApprover> builder)
    {
        builder.HasIndex(a => new { a.ChangeId, a.PersonId }).IsUnique();
        builder.HasIndex(a => a.PersonId);
        builder.HasOne(a => a.Person).WithMany().HasForeignKey(a => a.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ChangeDecisionConfiguration : IEntityTypeConfiguration<ChangeDecision>
{
    public void Configure(EntityTypeBuilder<ChangeDecision> builder)
    {
        // One decision per approver per change, whatever the race.
        builder.HasIndex(d => new { d.ChangeId, d.ApproverId }).IsUnique();
        builder.Property(d => d.Decision).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Comment).HasMaxLength(2000);
        builder.HasOne(d => d.Approver).WithMany().HasForeignKey(d => d.ApproverId).OnDelete(DeleteBehavior.Restrict);
    }
}
