using System.Text.Json;
using ComplianceBot.Conversations;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Outbox;

/// <summary>
/// Something that leaves the host because state changed: written in the same SaveChanges as the change, delivered
/// afterwards by the <see cref="OutboxDispatcher"/>. <see cref="Key"/> is unique and is the delivery key every attempt
/// carries, so a channel that keeps keys (Slack message metadata, the web inbox) recognises a redelivery after a crash.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; private set; }
    public required string Key { get; init; }
    public OutboxKind Kind { get; init; }

    /// <summary>What it is, for audit actions ("reminder" → reminder.sent / reminder.failed) and the admin listing.</summary>
    public required string Topic { get; init; }

    /// <summary>What it is about ("change:12", "task:42"): the audit subject, and how a decision finds the cards to update.</summary>
    public required string Subject { get; init; }

    public int? RecipientId { get; init; }
    public Person? Recipient { get; init; }
    public string? ChannelName { get; init; }
    public ChannelKind? TargetChannel { get; init; }
    public string? TargetConversationId { get; init; }
    public string? TargetThreadId { get; init; }

    /// <summary>For <see cref="OutboxKind.Update"/>: the row whose message this replaces (it may not be delivered yet).</summary>
    public long? ReplacesId { get; private set; }
    public OutboxMessage? Replaces { get; private set; }
    public string? Url { get; init; }

    /// <summary>JSON: the replies for message kinds, the request body for a webhook.</summary>
    public required string Payload { get; init; }

    /// <summary>A card that shows live state: a later decision about <see cref="Subject"/> updates it.</summary>
    public bool Live { get; init; }

    /// <summary>Record "&lt;topic&gt;.sent" in the audit trail on delivery (failures and doubts are always audited).</summary>
    public bool AuditDelivery { get; init; }

    /// <summary>Rows with the same ordering key are delivered one after the other, oldest first (one chat's replies).</summary>
    public string? OrderingKey { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset DueAt { get; private set; }
    public OutboxStatus Status { get; private set; } = OutboxStatus.Pending;
    public int Attempts { get; private set; }
    public string? LeaseOwner { get; private set; }
    public DateTimeOffset? LeaseUntil { get; private set; }

    /// <summary>
    /// Set and committed before a send, cleared when its outcome is saved: still set when a lease ran out means a host
    /// died between sending and saving, so the next host asks the channel before sending again.
    /// </summary>
    public DateTimeOffset? AttemptStartedAt { get; private set; }
    public ChannelKind? AttemptChannel { get; private set; }

    /// <summary>How many of a conversation row's replies are delivered; the next one is the one in doubt after a crash.</summary>
    public int PartsSent { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public ChannelKind? SentChannel { get; private set; }
    public string? SentConversationId { get; private set; }
    public string? SentMessageId { get; private set; }

    public MessageRef? SentMessage => SentChannel is { } channel ? new MessageRef(channel, SentConversationId!, SentMessageId!) : null;

    public ConversationTarget? Target => TargetChannel is { } channel ? new ConversationTarget(channel, TargetConversationId!, TargetThreadId) : null;

    public bool IsAttemptInFlight => AttemptStartedAt is not null;

    public IReadOnlyList<Reply> Replies => Kind == OutboxKind.Webhook ? [] : JsonSerializer.Deserialize<List<Reply>>(Payload, OutboxJson.Options) ?? [];

    /// <summary>The key of one part of a multi-part row: the first part carries the row's key itself.</summary>
    public string PartKey(int part) => part == 0 ? Key : $"{Key}#{part}";

    /// <summary>An update of <paramref name="target"/>'s message; saved in the same unit of work as the decision it shows.</summary>
    public static OutboxMessage UpdateOf(OutboxMessage target, Reply reply, string topic, DateTimeOffset now) => new()
    {
        Key = $"{target.Key}:update:{Guid.NewGuid():N}",
        Kind = OutboxKind.Update,
        Topic = topic,
        Subject = target.Subject,
        RecipientId = target.RecipientId,
        // A target saved in this same unit of work has no id yet: EF fills it in from the navigation.
        Replaces = target.Id == 0 ? target : null,
        ReplacesId = target.Id == 0 ? null : target.Id,
        Payload = OutboxJson.Serialize([reply]),
        CreatedAt = now,
        DueAt = now,
    };

    public void ScheduleAt(DateTimeOffset at)
    {
        EnsurePending();
        DueAt = at;
    }

    /// <summary>Records that a send on <paramref name="channel"/> is about to start; the caller commits it before sending.</summary>
    public void BeginAttempt(ChannelKind? channel, DateTimeOffset at)
    {
        EnsurePending();
        (AttemptStartedAt, AttemptChannel) = (at, channel);
    }

    /// <summary>One reply of a conversation row arrived; the first one's message is the row's message.</summary>
    public void MarkPartSent(MessageRef message)
    {
        EnsurePending();
        if (PartsSent == 0)
        {
            Remember(message);
        }

        PartsSent++;
        AttemptStartedAt = null;
    }

    public void MarkSent(MessageRef? message, DateTimeOffset at)
    {
        EnsurePending();
        if (message is not null && SentChannel is null)
        {
            Remember(message);
        }

        Status = OutboxStatus.Sent;
        SentAt = at;
        Attempts++;
        AttemptStartedAt = null;
        Release();
    }

    /// <summary>Counts a failed attempt and schedules the next one; returns true when it was the last and the row is parked.</summary>
    public bool MarkAttemptFailed(string error, DateTimeOffset at, OutboxOptions policy)
    {
        EnsurePending();
        Attempts++;
        AttemptStartedAt = null;
        LastError = error.Length > 1000 ? error[..1000] : error;
        Release();
        if (Attempts >= policy.MaxAttempts)
        {
            Status = OutboxStatus.Parked;
            return true;
        }

        DueAt = at + policy.RetryDelayAfter(Attempts);
        return false;
    }

    /// <summary>The crashed attempt's channel could not tell whether it arrived: stop here, visibly, for a person to decide.</summary>
    public void MarkUnconfirmed(string reason)
    {
        EnsurePending();
        LastError = reason;
        Status = OutboxStatus.Unconfirmed;
        Release();
    }

    /// <summary>
    /// The recipient acted on this message (a card click names the message it came from), so an attempt in doubt did
    /// arrive. In flight: remembered, and the dispatcher that takes the row over records it sent instead of asking the
    /// channel. Unconfirmed: sent. Returns what changed.
    /// </summary>
    public ArrivalOutcome RecordArrival(MessageRef message, DateTimeOffset at)
    {
        if (Kind != OutboxKind.Person || SentChannel is not null || AttemptChannel != message.Channel)
        {
            return ArrivalOutcome.Unchanged;
        }

        if (Status == OutboxStatus.Pending && IsAttemptInFlight)
        {
            Remember(message);
            return ArrivalOutcome.Remembered;
        }

        if (Status != OutboxStatus.Unconfirmed)
        {
            return ArrivalOutcome.Unchanged;
        }

        Remember(message);
        Status = OutboxStatus.Sent;
        SentAt = at;
        Attempts++;
        AttemptStartedAt = null;
        LastError = $"Unconfirmed after a host stopped mid-send; confirmed at {at:u}, when the recipient acted on it.";
        return ArrivalOutcome.Confirmed;
    }

    public void Supersede(string reason)
    {
        EnsurePending();
        LastError = reason;
        Status = OutboxStatus.Superseded;
        AttemptStartedAt = null;
        Release();
    }

    /// <summary>Waits (its target is not delivered yet) without counting an attempt.</summary>
    public void Defer(DateTimeOffset until)
    {
        EnsurePending();
        DueAt = until;
        Release();
    }

    private void Remember(MessageRef message) => (SentChannel, SentConversationId, SentMessageId) = (message.Channel, message.ConversationId, message.MessageId);

    private void Release() => (LeaseOwner, LeaseUntil) = (null, null);

    private void EnsurePending()
    {
        if (Status != OutboxStatus.Pending)
        {
            throw new InvalidOperationException($"Outbox message {Key} is already {Status}.");
        }
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("Outbox");
        builder.Ignore(m => m.Replies);
        builder.Ignore(m => m.Target);
        builder.Ignore(m => m.SentMessage);
        builder.HasIndex(m => m.Key).IsUnique();
        // The dispatcher: pending rows due now, oldest first.
        builder.HasIndex(m => new { m.Status, m.DueAt });
        builder.HasIndex(m => new { m.Subject, m.Live });
        builder.HasIndex(m => new { m.OrderingKey, m.Status });
        builder.HasIndex(m => m.ReplacesId);
        builder.Property(m => m.Key).HasMaxLength(200);
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Topic).HasMaxLength(64);
        builder.Property(m => m.Subject).HasMaxLength(128);
        builder.Property(m => m.ChannelName).HasMaxLength(128);
        builder.Property(m => m.TargetChannel).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.TargetConversationId).HasMaxLength(256);
        builder.Property(m => m.TargetThreadId).HasMaxLength(128);
        builder.Property(m => m.Url).HasMaxLength(2000);
        builder.Property(m => m.OrderingKey).HasMaxLength(256);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.LeaseOwner).HasMaxLength(64);
        builder.Property(m => m.AttemptChannel).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.LastError).HasMaxLength(1000);
        builder.Property(m => m.SentChannel).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.SentConversationId).HasMaxLength(256);
        builder.Property(m => m.SentMessageId).HasMaxLength(128);
        builder.HasOne(m => m.Recipient).WithMany().HasForeignKey(m => m.RecipientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(m => m.Replaces).WithMany().HasForeignKey(m => m.ReplacesId).OnDelete(DeleteBehavior.Restrict);
    }
}
