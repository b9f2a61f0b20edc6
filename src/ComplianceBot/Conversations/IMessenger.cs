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
}

/// <summary>Routes proactive messages: preferred channel first, then the others in a fixed order (Slack, Teams, web).</summary>
public sealed class Messenger(IEnumerable<IChannelMessenger> channels, ILogger<Messenger> logger) : IMessenger
{
    private static readonly ChannelKind[] FallbackOrder = [ChannelKind.Slack, ChannelKind.Teams, ChannelKind.Web];

    public async Task<MessageRef?> SendAsync(Person person, Reply reply, CancellationToken cancellationToken)
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
            try
            {
                return await channel.SendAsync(person, reply, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
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
