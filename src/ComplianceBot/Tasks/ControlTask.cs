using ComplianceBot.Controls;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Tasks;

/// <summary>Where an occurrence stands. Completed* and NotPerformed are the three attested outcomes.</summary>
public enum ControlTaskStatus
{
    Open,
    Completed,
    CompletedWithExceptions,
    NotPerformed,

    /// <summary>The due date passed with no attestation; a late attestation is still taken (and marked late).</summary>
    Missed,

    /// <summary>A compliance admin decided the occurrence did not apply (with a reason, audited).</summary>
    NotApplicable,

    /// <summary>Closed because its control was retired, renumbered or changed frequency; <see cref="ControlTask.SuccessorId"/> links the occurrence that replaces it.</summary>
    Retired,
}

public sealed class InvalidTaskTransitionException(ControlTaskStatus from, ControlTaskStatus to)
    : InvalidOperationException($"A control task cannot move from {from} to {to}.");

/// <summary>
/// One occurrence of a control in one period, assigned to a person. Guards its own state machine: every move an
/// occurrence makes is one of the methods below.
/// </summary>
public sealed class ControlTask
{
    /// <summary>The only moves a task may make. A recorded outcome can change only through a superseding attestation.</summary>
    private static readonly Dictionary<ControlTaskStatus, ControlTaskStatus[]> AllowedTransitions = new()
    {
        [ControlTaskStatus.Open] = [ControlTaskStatus.Completed, ControlTaskStatus.CompletedWithExceptions, ControlTaskStatus.NotPerformed,
            ControlTaskStatus.Missed, ControlTaskStatus.NotApplicable, ControlTaskStatus.Retired],
        [ControlTaskStatus.Missed] = [ControlTaskStatus.Completed, ControlTaskStatus.CompletedWithExceptions, ControlTaskStatus.NotPerformed, ControlTaskStatus.NotApplicable],
        [ControlTaskStatus.Completed] = [ControlTaskStatus.CompletedWithExceptions, ControlTaskStatus.NotPerformed],
        [ControlTaskStatus.CompletedWithExceptions] = [ControlTaskStatus.Completed, ControlTaskStatus.NotPerformed],
        [ControlTaskStatus.NotPerformed] = [ControlTaskStatus.Completed, ControlTaskStatus.CompletedWithExceptions],
        [ControlTaskStatus.NotApplicable] = [],
        [ControlTaskStatus.Retired] = [],
    };

    /// <summary>Statuses that still wait for an attestation (reminders, task lists, the attest form).</summary>
    public static readonly ControlTaskStatus[] AwaitingStatuses = [ControlTaskStatus.Open, ControlTaskStatus.Missed];

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

    /// <summary>Days after the due date the first attestation came (in the assignee's calendar); null when on time or not attested.</summary>
    public int? DaysLate { get; private set; }

    /// <summary>Why it was marked not applicable or retired.</summary>
    public string? Reason { get; private set; }

    /// <summary>
    /// A retired occurrence's replacement (the renumbered control's, or the new schedule's occurrence covering it). A plain
    /// id, not a foreign key: adding one to an existing table makes SQLite rebuild it, and occurrences are never deleted.
    /// </summary>
    public int? SuccessorId { get; private set; }

    /// <summary>Optimistic concurrency: two clicks racing on one task end in one recorded change.</summary>
    public Guid Version { get; private set; } = Guid.NewGuid();

    /// <summary>Awaiting an attestation: open, or missed (a late attestation is still taken).</summary>
    public bool IsOpen => Status is ControlTaskStatus.Open or ControlTaskStatus.Missed;

    public bool IsLate => DaysLate > 0;

    /// <summary>The status as an auditor reads it in the population.</summary>
    public string StatusLabel => Status switch
    {
        ControlTaskStatus.Completed => "Performed",
        ControlTaskStatus.CompletedWithExceptions => "Performed with exceptions",
        ControlTaskStatus.NotPerformed => "Not performed",
        ControlTaskStatus.NotApplicable => "Not applicable",
        _ => Status.ToString(),
    };

    public bool IsOverdue(DateOnly today) => IsOpen && today > DueDate;

    public static bool CanMove(ControlTaskStatus from, ControlTaskStatus to) => AllowedTransitions[from].Contains(to);

    /// <summary>The first day the occurrence may be attested: <paramref name="opensDaysBeforeEnd"/> days before its period ends, never before it starts.</summary>
    public DateOnly AttestableFrom(int opensDaysBeforeEnd)
    {
        var opens = PeriodEnd.AddDays(-Math.Max(0, opensDaysBeforeEnd));
        return opens < PeriodStart ? PeriodStart : opens;
    }

    /// <summary>An attested outcome (or a correction of one). The first attestation after the due date marks the occurrence late.</summary>
    public void RecordOutcome(ControlTaskStatus outcome, DateTimeOffset at, DateOnly assigneeToday)
    {
        if (outcome is not (ControlTaskStatus.Completed or ControlTaskStatus.CompletedWithExceptions or ControlTaskStatus.NotPerformed))
        {
            throw new InvalidTaskTransitionException(Status, outcome);
        }

        if (IsOpen && assigneeToday > DueDate)
        {
            DaysLate = assigneeToday.DayNumber - DueDate.DayNumber;
        }

        MoveTo(outcome, at);
    }

    /// <summary>The due date passed in the assignee's calendar with nothing attested.</summary>
    public bool MarkMissed(DateTimeOffset at, DateOnly assigneeToday)
    {
        if (Status != ControlTaskStatus.Open || assigneeToday <= DueDate)
        {
            return false;
        }

        MoveTo(ControlTaskStatus.Missed, at);
        return true;
    }

    public void MarkNotApplicable(string reason, DateTimeOffset at)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("Marking an occurrence not applicable needs a reason.", nameof(reason));
        }

        MoveTo(ControlTaskStatus.NotApplicable, at);
        Reason = reason.Trim();
    }

    /// <summary>Closes an open occurrence of a retired control or an old schedule, linked to the occurrence that replaces it.</summary>
    public void Retire(string reason, ControlTask? successor, DateTimeOffset at)
    {
        MoveTo(ControlTaskStatus.Retired, at);
        Reason = reason;
        SuccessorId = successor?.Id;
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

    private void MoveTo(ControlTaskStatus next, DateTimeOffset at)
    {
        if (!CanMove(Status, next))
        {
            throw new InvalidTaskTransitionException(Status, next);
        }

        Status = next;
        ClosedAt = next is ControlTaskStatus.Open or ControlTaskStatus.Missed ? null : at;
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
        builder.HasIndex(t => t.PeriodEnd);
        builder.Property(t => t.Period).HasMaxLength(16);
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(t => t.Reason).HasMaxLength(1000);
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.HasOne(t => t.Control).WithMany().HasForeignKey(t => t.ControlId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(t => t.Assignee).WithMany().HasForeignKey(t => t.AssigneeId).OnDelete(DeleteBehavior.Restrict);
    }
}
