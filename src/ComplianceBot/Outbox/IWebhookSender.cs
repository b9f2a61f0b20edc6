namespace ComplianceBot.Outbox;

/// <summary>
/// Sends a <see cref="OutboxKind.Webhook"/> row (a change callback): throws on any failure so the outbox retries it.
/// The row's <see cref="OutboxMessage.Key"/> goes with every attempt, so the receiver can recognise a redelivery.
/// </summary>
public interface IWebhookSender
{
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}
