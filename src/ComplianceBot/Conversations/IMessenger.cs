using ComplianceBot.People;

namespace ComplianceBot.Conversations;

/// <summary>Proactive messages (reminders, approval cards) to a person, on their preferred channel with fallback.</summary>
public interface IMessenger
{
    /// <summary>Sends to the person; returns where it landed so a later decision can update it, or null if no channel could reach them.</summary>
    Task<MessageRef?> SendAsync(Person person, Reply reply, CancellationToken cancellationToken);

    /// <summary>Replaces a message we sent earlier (the card shows the outcome for everyone).</summary>
    Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken);

    /// <summary>Posts to a shared channel such as the compliance channel ("#compliance").</summary>
    Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken);

    /// <summary>
    /// Sends with an idempotency key: <see cref="DeliveryKey.BeforeAttemptAsync"/> runs before each channel is tried, so the
    /// caller can commit where the attempt is going; a channel that keeps keys delivers the same key at most once.
    /// </summary>
    Task<MessageRef?> SendAsync(Person person, Reply reply, DeliveryKey key, CancellationToken cancellationToken);

    /// <summary>Asks one channel whether the message with this key reached the person (after a crash mid-send).</summary>
    Task<DeliveryLookup> FindDeliveredAsync(Person person, ChannelKind channel, string key, CancellationToken cancellationToken);
}

/// <summary>An idempotency key for a proactive send ("reminder:42").</summary>
/// <param name="Value">Stable across retries of the same logical message.</param>
/// <param name="BeforeAttemptAsync">Called with the channel about to be tried, before anything is sent on it.</param>
public sealed record DeliveryKey(string Value, Func<ChannelKind, CancellationToken, Task>? BeforeAttemptAsync = null);

/// <summary>What a channel knows about a keyed message: delivered (and where), not delivered, or it cannot tell.</summary>
public sealed record DeliveryLookup(DeliveryLookupState State, MessageRef? Message = null)
{
    public static readonly DeliveryLookup CannotTell = new(DeliveryLookupState.CannotTell);

    public static readonly DeliveryLookup NotDelivered = new(DeliveryLookupState.NotDelivered);

    public static DeliveryLookup Delivered(MessageRef message) => new(DeliveryLookupState.Delivered, message);
}

public enum DeliveryLookupState
{
    CannotTell,
    NotDelivered,
    Delivered,
}

/// <summary>One channel's outbound side. The <see cref="Messenger"/> picks among them.</summary>
public interface IChannelMessenger
{
    ChannelKind Channel { get; }

    /// <summary>Whether this channel is configured and holds what it needs to reach the person.</summary>
    bool CanReach(Person person);

    Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken);

    Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken);

    /// <summary>Posts to a named shared channel; false when this channel has no such place configured.</summary>
    Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken);

    /// <summary>
    /// Sends with an idempotency key. A channel that can keep keys (web inbox, Slack message metadata) returns the
    /// earlier message instead of sending twice; the default ignores the key.
    /// </summary>
    Task<MessageRef> SendAsync(Person person, Reply reply, string deliveryKey, CancellationToken cancellationToken) =>
        SendAsync(person, reply, cancellationToken);

    /// <summary>
    /// Sends with a key, calling <paramref name="beforeSend"/> (which commits that the attempt started) before anything
    /// that could deliver the message leaves the host. A channel that cannot be asked afterwards (Teams) calls it as late
    /// as it can, so that a crash during its preparation is not mistaken for a send in doubt.
    /// </summary>
    async Task<MessageRef> SendAsync(Person person, Reply reply, string deliveryKey, Func<CancellationToken, Task> beforeSend, CancellationToken cancellationToken)
    {
        await beforeSend(cancellationToken);
        return await SendAsync(person, reply, deliveryKey, cancellationToken);
    }

    /// <summary>
    /// Whether the message sent with this key reached the person, and where. The default is
    /// <see cref="DeliveryLookup.CannotTell"/>: a channel with no way to look back (Teams) must not claim "not delivered".
    /// </summary>
    Task<DeliveryLookup> FindDeliveredAsync(Person person, string deliveryKey, CancellationToken cancellationToken) =>
        Task.FromResult(DeliveryLookup.CannotTell);

    /// <summary>
    /// Posts a reply into a conversation a turn came from (background replies to Slack events), carrying the key where
    /// the channel can keep it. Channels whose replies are synchronous (Teams, web chat) never receive one.
    /// </summary>
    Task<MessageRef> SendToConversationAsync(ConversationTarget target, Reply reply, string deliveryKey, CancellationToken cancellationToken) =>
        throw new MessageDeliveryException($"{Channel} does not take background replies into a conversation.", null);

    /// <summary>Whether the reply sent with this key reached the conversation; by default the channel cannot tell.</summary>
    Task<DeliveryLookup> FindDeliveredInConversationAsync(ConversationTarget target, string deliveryKey, CancellationToken cancellationToken) =>
        Task.FromResult(DeliveryLookup.CannotTell);
}

/// <summary>Routes proactive messages: preferred channel first, then the others in a fixed order (Slack, Teams, web).</summary>
public sealed class Messenger(IEnumerable<IChannelMessenger> channels, ILogger<Messenger> logger) : IMessenger
{
    private static readonly ChannelKind[] FallbackOrder = [ChannelKind.Slack, ChannelKind.Teams, ChannelKind.Web];

    public Task<MessageRef?> SendAsync(Person person, Reply reply, CancellationToken cancellationToken) =>
        SendCoreAsync(person, reply, null, cancellationToken);

    public Task<MessageRef?> SendAsync(Person person, Reply reply, DeliveryKey key, CancellationToken cancellationToken) =>
        SendCoreAsync(person, reply, key, cancellationToken);

    public Task<DeliveryLookup> FindDeliveredAsync(Person person, ChannelKind channel, string key, CancellationToken cancellationToken) =>
        channels.FirstOrDefault(c => c.Channel == channel) is { } found
            ? found.FindDeliveredAsync(person, key, cancellationToken)
            : Task.FromResult(DeliveryLookup.CannotTell); // the channel is no longer registered here: nobody can tell

    private async Task<MessageRef?> SendCoreAsync(Person person, Reply reply, DeliveryKey? key, CancellationToken cancellationToken)
    {
        var ordered = channels
            .Where(c => c.CanReach(person))
            .OrderBy(c => c.Channel == person.PreferredChannel ? -1 : Array.IndexOf(FallbackOrder, c.Channel))
            .ToList();
        if (ordered.Count == 0)
        {
            logger.LogWarning("No channel can reach {Email}", person.Email);
            return null;
        }

        Exception? last = null;
        foreach (var channel in ordered)
        {
            // If the attempt cannot be recorded, nothing may be sent, and no other channel is tried either.
            var recordFailed = false;
            var before = key?.BeforeAttemptAsync;
            Func<CancellationToken, Task> beforeSend = async ct =>
            {
                recordFailed = true;
                await (before?.Invoke(channel.Channel, ct) ?? Task.CompletedTask);
                recordFailed = false;
            };

            try
            {
                return key is null
                    ? await channel.SendAsync(person, reply, cancellationToken)
                    : await channel.SendAsync(person, reply, key.Value, beforeSend, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !recordFailed)
            {
                last = ex;
                logger.LogWarning(ex, "Sending to {Email} over {Channel} failed; trying the next channel", person.Email, channel.Channel);
            }
        }

        throw new MessageDeliveryException($"No channel could deliver the message to {person.Email}.", last);
    }

    public Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken) =>
        channels.First(c => c.Channel == message.Channel).UpdateAsync(message, reply, cancellationToken);

    public async Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken)
    {
        MessageRef? first = null;
        foreach (var channel in channels.OrderBy(c => Array.IndexOf(FallbackOrder, c.Channel)))
        {
            first ??= await channel.SendToChannelAsync(channelName, reply, cancellationToken);
        }

        return first;
    }
}

public sealed class MessageDeliveryException(string message, Exception? inner) : Exception(message, inner);
