using ComplianceBot.Controls;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Tasks;

public enum ControlTaskStatus
{
    Open,
    Completed,
    CompletedWithExceptions,
    NotPerformed,
    Cancelled,
}

public sealed class InvalidTaskTransitionException(ControlTaskStatus from, ControlTaskStatus to)
    : InvalidOperationException($"A control task cannot move from {from} to {to}.");

/// <summary>One occurrence of a control in one period, assigned to a person. Guards its own state machine.</summary>
public sealed class ControlTask
{
    /// <summary>The only moves a task may make. A recorded outcome can change only through a superseding attestation.</summary>
    private static readonly Dictionary<ControlTaskStatus, ControlTaskStatus[]> AllowedTransitions = new()
    {
        [ControlTaskStatus.Open] = [ControlTaskStatus.Completed, ControlTaskStatus.CompletedWithExceptions, ControlTaskStatus.NotPerformed, ControlTaskStatus.Cancelled],
        [ControlTaskStatus.Completed] = [ControlTaskStatus.CompletedWithExceptions, ControlTaskStatus.NotPerformed],
        [ControlTaskStatus.CompletedWithExceptions] = [ControlTaskStatus.Completed, ControlTaskStatus.NotPerformed],
        [ControlTaskStatus.NotPerformed] = [ControlTaskStatus.Completed, ControlTaskStatus.CompletedWithExceptions],
        [ControlTaskStatus.Cancelled] = [ControlTaskStatus.Open],
    };

    public int Id { get; private set; }
    public required string ControlId { get; init; }
    public Control? Control { get; set; }
    public required string Period { get; init; }
    public DateOnly PeriodStart { get; init; }
    public DateOnly PeriodEnd { get; init; }
    public DateOnly DueDate { get; set; }
    public int AssigneeId { get; set; }
    public Person? Assignee { get; set; }
    public ControlTaskStatus Status { get; private set; } = ControlTaskStatus.Open;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Optimistic concurrency: two clicks racing on one task end in one recorded change.</summary>
    public Guid Version { get; private set; } = Guid.NewGuid();

    public bool IsOpen => Status == ControlTaskStatus.Open;

    public bool IsOverdue(DateOnly today) => IsOpen && today > DueDate;

    public static bool CanMove(ControlTaskStatus from, ControlTaskStatus to) => AllowedTransitions[from].Contains(to);

    public void MoveTo(ControlTaskStatus next, DateTimeOffset at)
    {
        if (!CanMove(Status, next))
        {
            throw new InvalidTaskTransitionException(Status, next);
        }

        Status = next;
        ClosedAt = next == ControlTaskStatus.Open ? null : at;
        Version = Guid.NewGuid();
    }

    public void Reassign(Person newAssignee)
    {
        if (!IsOpen)
        {
            throw new InvalidOperationException("Only an open task can be reassigned.");
        }

        Assignee = newAssignee;
        AssigneeId = newAssignee.Id;
        Version = Guid.NewGuid();
    }
}

internal sealed class ControlTaskConfiguration : IEntityTypeConfiguration<ControlTask>
{
    public void Configure(EntityTypeBuilder<ControlTask> builder)
    {
        builder.HasIndex(t => new { t.ControlId, t.Period }).IsUnique();
        // "My open tasks" and the reminder sweep both filter on assignee/status and order by due date.
        builder.HasIndex(t => new { t.AssigneeId, t.Status, t.DueDate });
        builder.HasIndex(t => new { t.Status, t.DueDate });
        builder.Property(t => t.Period).HasMaxLength(16);
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.HasOne(t => t.Control).WithMany().HasForeignKey(t => t.ControlId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(t => t.Assignee).WithMany().HasForeignKey(t => t.AssigneeId).OnDelete(DeleteBehavior.Restrict);
    }
}
