using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Reminders;

public enum ReminderAudience
{
    Owner,
    Manager,
    Channel,
}

public enum ReminderStatus
{
    Pending,

    /// <summary>Handed to the outbox (row <see cref="Reminder.DeliveryKey"/>), which delivers, retries or parks it.</summary>
    Sent,

    /// <summary>Not sent because a later step covered it (planned late, or snoozed onto the same moment).</summary>
    Skipped,

    /// <summary>Not sent because it was no longer needed (task closed or reassigned).</summary>
    Cancelled,
}

/// <summary>
/// One rung of the ladder for one subject ("task:42", "evidence:7", "change:3"): unique on (subject, step), so it is
/// queued at most once however many hosts run. When it comes due (in the recipient's working hours) it becomes an
/// outbox row keyed <see cref="DeliveryKey"/> in the same save that marks it sent; delivery, retries, parking and
/// crash recovery are the outbox's (GET /api/admin/outbox?topic=reminder).
/// </summary>
public sealed class Reminder
{
    public const string OutboxTopic = "reminder";

    public long Id { get; private set; }
    public required string Subject { get; init; }
    public required string Step { get; init; }
    public int? TaskId { get; init; }
    public ReminderAudience Audience { get; init; }

    /// <summary>The person to message (owner or manager); null for the compliance channel.</summary>
    public int? RecipientId { get; init; }
    public Person? Recipient { get; init; }

    /// <summary>Earliest send time; the dispatcher also waits for the recipient's working hours.</summary>
    public DateTimeOffset DueAt { get; set; }
    public ReminderStatus Status { get; private set; } = ReminderStatus.Pending;

    /// <summary>When it was handed to the outbox.</summary>
    public DateTimeOffset? SentAt { get; private set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// The key of its outbox row, carried by every send (Slack metadata, web inbox) so a redelivery is recognised; it names
    /// the rung, so the audit event of the delivery says which one went out.
    /// </summary>
    public string DeliveryKey => KeyFor(Id, Step);

    public static string KeyFor(long id, string step) => $"reminder:{id}:{step}";

    public void MarkSent(DateTimeOffset at)
    {
        EnsurePending();
        Status = ReminderStatus.Sent;
        SentAt = at;
    }

    public void Skip() => Close(ReminderStatus.Skipped);

    public void Cancel() => Close(ReminderStatus.Cancelled);

    /// <summary>Waits for a later moment (outside working hours now).</summary>
    public void Defer(DateTimeOffset until)
    {
        EnsurePending();
        DueAt = until;
    }

    private void Close(ReminderStatus status)
    {
        EnsurePending();
        Status = status;
    }

    private void EnsurePending()
    {
        if (Status != ReminderStatus.Pending)
        {
            throw new InvalidOperationException($"Reminder {Subject}/{Step} is already {Status}.");
        }
    }
}

internal sealed class ReminderConfiguration : IEntityTypeConfiguration<Reminder>
{
    public void Configure(EntityTypeBuilder<Reminder> builder)
    {
        builder.HasIndex(r => new { r.Subject, r.Step }).IsUnique();
        // The sweep: pending reminders due now, oldest first.
        builder.HasIndex(r => new { r.Status, r.DueAt });
        builder.HasIndex(r => r.TaskId);
        builder.Property(r => r.Subject).HasMaxLength(64);
        builder.Property(r => r.Step).HasMaxLength(64);
        builder.Property(r => r.Audience).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne(r => r.Recipient).WithMany().HasForeignKey(r => r.RecipientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Tasks.ControlTask>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}
