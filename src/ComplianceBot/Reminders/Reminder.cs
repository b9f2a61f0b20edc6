using ComplianceBot.Conversations;
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
    Sent,
    Failed,

    /// <summary>Not sent because a later step covered it (planned late, or snoozed onto the same moment).</summary>
    Skipped,

    /// <summary>Not sent because it was no longer needed (task closed or reassigned).</summary>
    Cancelled,

    /// <summary>
    /// A host died mid-send on a channel that cannot say whether the message arrived (Teams): neither resent (a possible
    /// duplicate) nor assumed sent (a possible gap); the compliance channel is alerted and a person decides.
    /// </summary>
    Unconfirmed,
}

/// <summary>
/// One rung of the ladder for one subject ("task:42", "evidence:7", "change:3"): unique on (subject, step), so it is
/// sent at most once however many hosts run. A host claims it with a lease (<see cref="LeaseOwner"/>,
/// <see cref="LeaseUntil"/>) before sending; failures retry with backoff and end <see cref="ReminderStatus.Failed"/>.
/// </summary>
public sealed class Reminder
{
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
    public int Attempts { get; private set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? SentAt { get; private set; }
    public ChannelKind? SentChannel { get; private set; }
    public string? SentConversationId { get; private set; }
    public string? SentMessageId { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Set and committed before a send, cleared when its outcome is saved: still set on a pending row whose lease ran out
    /// means a host died between sending and saving, so the next host must find out what happened before sending again.
    /// </summary>
    public DateTimeOffset? AttemptStartedAt { get; private set; }

    /// <summary>The channel the in-flight attempt went to (where to ask "was it delivered?").</summary>
    public ChannelKind? AttemptChannel { get; private set; }

    /// <summary>The idempotency key of every send of this reminder: the same across retries and hosts.</summary>
    public string DeliveryKey => $"reminder:{Id}";

    public bool IsAttemptInFlight => AttemptStartedAt is not null;

    public MessageRef? SentMessage => SentChannel is { } channel ? new MessageRef(channel, SentConversationId!, SentMessageId!) : null;

    /// <summary>Records that a send on <paramref name="channel"/> is about to start; the caller commits it before sending.</summary>
    public void BeginAttempt(ChannelKind channel, DateTimeOffset at)
    {
        EnsurePending();
        (AttemptStartedAt, AttemptChannel) = (at, channel);
    }

    /// <summary>The crashed attempt's channel could not tell whether it arrived: stop here, visibly, for a person to decide.</summary>
    public void MarkUnconfirmed(string reason)
    {
        EnsurePending();
        LastError = reason;
        Status = ReminderStatus.Unconfirmed;
        Release();
    }

    public void MarkSent(MessageRef message, DateTimeOffset at)
    {
        EnsurePending();
        Status = ReminderStatus.Sent;
        SentAt = at;
        Attempts++;
        EndAttempt();
        (SentChannel, SentConversationId, SentMessageId) = (message.Channel, message.ConversationId, message.MessageId);
        Release();
    }

    /// <summary>Counts a failed attempt; returns true when it was the last one and the reminder is now failed.</summary>
    public bool MarkAttemptFailed(string error, DateTimeOffset at, int maxAttempts, TimeSpan retryDelay)
    {
        EnsurePending();
        Attempts++;
        EndAttempt();
        LastError = error.Length > 1000 ? error[..1000] : error;
        Release();
        if (Attempts >= maxAttempts)
        {
            Status = ReminderStatus.Failed;
            return true;
        }

        DueAt = at + (retryDelay * Math.Pow(2, Attempts - 1));
        return false;
    }

    public void Skip() => Close(ReminderStatus.Skipped);

    public void Cancel() => Close(ReminderStatus.Cancelled);

    /// <summary>Waits for a later moment (outside working hours now) without counting an attempt.</summary>
    public void Defer(DateTimeOffset until)
    {
        EnsurePending();
        DueAt = until;
        Release();
    }

    private void Close(ReminderStatus status)
    {
        EnsurePending();
        Status = status;
        Release();
    }

    private void Release() => (LeaseOwner, LeaseUntil) = (null, null);

    /// <summary>The attempt's outcome is known (sent, or the channel reported a failure): nothing is in flight any more.</summary>
    private void EndAttempt() => AttemptStartedAt = null;

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
        builder.Property(r => r.SentChannel).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.AttemptChannel).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.SentConversationId).HasMaxLength(256);
        builder.Property(r => r.SentMessageId).HasMaxLength(128);
        builder.Property(r => r.LeaseOwner).HasMaxLength(64);
        builder.HasOne(r => r.Recipient).WithMany().HasForeignKey(r => r.RecipientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Tasks.ControlTask>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}
