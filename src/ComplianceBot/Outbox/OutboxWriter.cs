using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Outbox;

/// <summary>
/// Adds outbox rows to the current unit of work, so they commit with the state change they announce (one SaveChanges).
/// After that save, <see cref="DeliverAsync"/> hands this scope's rows to the dispatcher at once; whatever it cannot
/// deliver now (or a host that dies first) is left to the background dispatcher of any host.
/// </summary>
public sealed class OutboxWriter(ComplianceDbContext db, TimeProvider clock, OutboxDispatcher dispatcher, ILogger<OutboxWriter> logger)
{
    /// <summary>The topic of the compliance-channel alert about a parked or unconfirmed row (never alerted about itself).</summary>
    public const string AlertTopic = "outbox.alert";

    private readonly List<OutboxMessage> _written = [];

    /// <summary>A message to a person; <paramref name="live"/> marks a card that later decisions about <paramref name="subject"/> update.</summary>
    public OutboxMessage ToPerson(Person person, Reply reply, string key, string topic, string subject, bool live = false, bool audit = false) =>
        Add(new OutboxMessage
        {
            Key = key,
            Kind = OutboxKind.Person,
            Topic = topic,
            Subject = subject,
            RecipientId = person.Id,
            Payload = OutboxJson.Serialize([reply]),
            Live = live,
            AuditDelivery = audit,
            CreatedAt = clock.GetUtcNow(),
        });

    public OutboxMessage ToSharedChannel(string channelName, Reply reply, string key, string topic, string subject, bool audit = false) =>
        Add(new OutboxMessage
        {
            Key = key,
            Kind = OutboxKind.SharedChannel,
            Topic = topic,
            Subject = subject,
            ChannelName = channelName,
            Payload = OutboxJson.Serialize([reply]),
            AuditDelivery = audit,
            CreatedAt = clock.GetUtcNow(),
        });

    /// <summary>A turn's replies into its conversation, delivered in order with the conversation's earlier replies.</summary>
    public OutboxMessage ToConversation(ConversationTarget target, IReadOnlyList<Reply> replies, string key, string topic, string subject) =>
        Add(new OutboxMessage
        {
            Key = key,
            Kind = OutboxKind.Conversation,
            Topic = topic,
            Subject = subject,
            TargetChannel = target.Channel,
            TargetConversationId = target.ConversationId,
            TargetThreadId = target.ThreadId,
            OrderingKey = $"{target.Channel}:{target.ConversationId}",
            Payload = OutboxJson.Serialize(replies),
            CreatedAt = clock.GetUtcNow(),
        });

    /// <summary>An HTTP POST of <paramref name="body"/> (JSON) to an integration, sent by the <see cref="IWebhookSender"/>.</summary>
    public OutboxMessage ToWebhook(string url, string body, string key, string topic, string subject) =>
        Add(new OutboxMessage
        {
            Key = key,
            Kind = OutboxKind.Webhook,
            Topic = topic,
            Subject = subject,
            Url = url,
            Payload = body,
            AuditDelivery = true,
            CreatedAt = clock.GetUtcNow(),
        });

    /// <summary>
    /// One update per live card about <paramref name="subject"/> (delivered or still waiting), rendered for its recipient;
    /// <paramref name="except"/> is the message the deciding click came from, which the turn's own reply replaces.
    /// </summary>
    public async Task<int> UpdateLiveAsync(string subject, Func<int?, Reply> render, MessageRef? except, string topic, CancellationToken cancellationToken)
    {
        var cards = await db.Outbox.AsNoTracking()
            .Where(m => m.Subject == subject && m.Live && (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Sent))
            .OrderBy(m => m.Id).ToListAsync(cancellationToken);
        var count = 0;
        foreach (var card in cards.Where(c => except is null || c.SentMessage != except))
        {
            Add(OutboxMessage.UpdateOf(card, render(card.RecipientId), topic, clock.GetUtcNow()));
            count++;
        }

        return count;
    }

    /// <summary>Delivers what this scope wrote, now that the caller committed it; failures stay with the outbox's retries.</summary>
    public async Task DeliverAsync(CancellationToken cancellationToken)
    {
        var ids = _written.Where(m => m.Id != 0 && db.Entry(m).State == EntityState.Unchanged).Select(m => m.Id).ToList();
        _written.Clear();
        if (ids.Count == 0)
        {
            return;
        }

        try
        {
            await dispatcher.DeliverAsync(ids, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Committed rows are never lost: the background dispatcher picks them up at its next pass.
            logger.LogWarning(ex, "Delivering {Count} outbox message(s) right after the save failed; the dispatcher retries", ids.Count);
        }
    }

    private OutboxMessage Add(OutboxMessage message)
    {
        message.ScheduleAt(clock.GetUtcNow());
        db.Outbox.Add(message);
        _written.Add(message);
        return message;
    }
}
