using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// Proactive Slack messages: DM a person (their stored DM, else users.lookupByEmail + conversations.open, remembered on
/// their channel account) and return channel + ts so a later decision can chat.update the same message.
/// </summary>
public sealed partial class SlackMessenger(
    SlackApiClient api,
    SlackResponder responder,
    MessageParts parts,
    ComplianceDbContext db,
    SlackInstallationState installation,
    IOptions<SlackOptions> options,
    PersonResolutionCache resolutions,
    TimeProvider clock,
    ILogger<SlackMessenger> logger) : IChannelMessenger
{
    /// <summary>Our metadata event type; its payload's "key" carries the delivery key.</summary>
    public const string DeliveryEventType = "compliancebot_delivery";

    // Recovery runs soon after a crash (once the lease runs out), so a message we sent is among the newest in the DM.
    private const int HistoryLimit = 50;

    // conversations.replies lists a thread oldest first; a bot reply in a long thread may be far down.
    private const int ThreadLimit = 1000;

    public ChannelKind Channel => ChannelKind.Slack;

    // Slack can find anyone in the workspace by email, so a configured, installed app can reach every person.
    public bool CanReach(Person person) => IsActive;

    private bool IsActive => options.Value.IsConfigured && !installation.Revoked;

    public async Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken)
    {
        var channel = await DirectChannelAsync(person, cancellationToken);
        return await PostAsync(channel, reply, null, cancellationToken);
    }

    /// <summary>
    /// Sends with the key in the first message's metadata, so <see cref="FindDeliveredAsync"/> can find it after a crash.
    /// No lookup before sending: the dispatcher asks only when an attempt was left in flight (history calls are rate limited).
    /// </summary>
    public async Task<MessageRef> SendAsync(Person person, Reply reply, string deliveryKey, CancellationToken cancellationToken)
    {
        var channel = await DirectChannelAsync(person, cancellationToken);
        return await PostAsync(channel, reply, DeliveryMetadata(deliveryKey), cancellationToken);
    }

    /// <summary>Reads the person's DM for a message from our bot carrying the key; any failure to ask Slack is "cannot tell".</summary>
    public async Task<DeliveryLookup> FindDeliveredAsync(Person person, string deliveryKey, CancellationToken cancellationToken)
    {
        if (!IsActive)
        {
            return DeliveryLookup.CannotTell;
        }

        try
        {
            var channel = await DirectChannelAsync(person, cancellationToken);
            return await FindKeyAsync(channel, await api.HistoryAsync(channel, HistoryLimit, cancellationToken), deliveryKey, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Slack errors, rate limits after retries, network failures: "not delivered" would risk a second copy.
            logger.LogWarning(ex, "Could not look up Slack delivery {Key} for {Email}", deliveryKey, person.Email);
            return DeliveryLookup.CannotTell;
        }
    }

    /// <summary>A background reply to an event: posted into its conversation (and thread), the key in the first message's metadata.</summary>
    public async Task<MessageRef> SendToConversationAsync(ConversationTarget target, Reply reply, string deliveryKey, CancellationToken cancellationToken)
    {
        // A reply to an event Slack just sent us goes out even after tokens_revoked (as a synchronous answer would): if the
        // token is really gone, Slack refuses the post and the outbox retries and parks it.
        if (!options.Value.IsConfigured)
        {
            throw new MessageDeliveryException("Slack is not configured on this host.", null);
        }

        return await PostAsync(target.ConversationId, reply, DeliveryMetadata(deliveryKey), cancellationToken, target.ThreadId);
    }

    /// <summary>Reads the conversation (or the thread: conversations.history leaves thread replies out) for our message with the key.</summary>
    public async Task<DeliveryLookup> FindDeliveredInConversationAsync(ConversationTarget target, string deliveryKey, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            return DeliveryLookup.CannotTell;
        }

        try
        {
            var messages = target.ThreadId is { } thread
                ? await api.RepliesAsync(target.ConversationId, thread, ThreadLimit, cancellationToken)
                : await api.HistoryAsync(target.ConversationId, HistoryLimit, cancellationToken);
            return await FindKeyAsync(target.ConversationId, messages, deliveryKey, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not look up Slack delivery {Key} in {Channel}", deliveryKey, target.ConversationId);
            return DeliveryLookup.CannotTell;
        }
    }

    private async Task<DeliveryLookup> FindKeyAsync(string channel, JsonArray messages, string deliveryKey, CancellationToken cancellationToken)
    {
        var botId = (await api.AuthTestAsync(cancellationToken))["bot_id"]?.GetValue<string>();
        // The key is on the first message of a reply; when several carry it (it cannot happen, but), the oldest is the one.
        var found = messages.OfType<JsonObject>().Where(m =>
            botId is not null
            && m["bot_id"]?.GetValue<string>() == botId
            && m["metadata"]?["event_type"]?.GetValue<string>() == DeliveryEventType
            && m["metadata"]?["event_payload"]?["key"]?.GetValue<string>() == deliveryKey)
            .MinBy(m => m["ts"]?.GetValue<string>(), StringComparer.Ordinal);
        return found?["ts"]?.GetValue<string>() is { } ts
            ? DeliveryLookup.Delivered(new MessageRef(ChannelKind.Slack, channel, ts))
            : DeliveryLookup.NotDelivered;
    }

    private static JsonObject DeliveryMetadata(string deliveryKey) => new()
    {
        ["event_type"] = DeliveryEventType,
        ["event_payload"] = new JsonObject { ["key"] = deliveryKey },
    };

    public async Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken)
    {
        var rendered = await responder.RenderAsync(reply, cancellationToken);
        await parts.ReplaceAsync(message, rendered, responder.Surface(message.ConversationId), cancellationToken);
    }

    public async Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken)
    {
        if (!IsActive)
        {
            return null;
        }

        var channel = ChannelIdPattern().IsMatch(channelName) ? channelName : options.Value.ComplianceChannelId;
        return string.IsNullOrWhiteSpace(channel) ? null : await PostAsync(channel, reply, null, cancellationToken);
    }

    private async Task<MessageRef> PostAsync(string channel, Reply reply, JsonObject? metadata, CancellationToken cancellationToken, string? threadTs = null)
    {
        MessageRef? first = null;
        var continuations = new List<string>();
        // Proactive messages have no trigger_id, so a form travels as an "Open form" button.
        var messages = await responder.RenderAsync(reply, cancellationToken);
        foreach (var message in messages)
        {
            // Only the first message carries the key: it is the one a later update or lookup refers to.
            var posted = await api.PostMessageAsync(channel, message.Text, message.Blocks, threadTs, first is null ? metadata : null, cancellationToken);
            if (first is null)
            {
                first = new MessageRef(ChannelKind.Slack, posted.Channel, posted.Ts);
            }
            else
            {
                continuations.Add(posted.Ts);
            }
        }

        if (continuations.Count > 0)
        {
            await parts.RecordAsync(first!, continuations, cancellationToken);
        }

        return first!;
    }

    private async Task<string> DirectChannelAsync(Person person, CancellationToken cancellationToken)
    {
        var account = await db.ChannelAccounts.FirstOrDefaultAsync(a => a.PersonId == person.Id && a.Channel == ChannelKind.Slack, cancellationToken);
        if (account?.ConversationId is { Length: > 0 } known)
        {
            return known;
        }

        var userId = account?.UserId;
        if (userId is null)
        {
            var user = await api.LookupByEmailAsync(person.Email, cancellationToken)
                ?? throw new MessageDeliveryException($"{person.Email} is not a member of the Slack workspace.", null);
            userId = user.Id;
            account = new ChannelAccount { PersonId = person.Id, Channel = ChannelKind.Slack, TenantId = user.TeamId ?? "", UserId = user.Id, LinkedAt = clock.GetUtcNow() };
            db.ChannelAccounts.Add(account);
        }

        var channel = await api.OpenConversationAsync(userId, cancellationToken);
        account!.ConversationId = channel;
        account.ConversationReference = channel;
        await db.SaveChangesAsync(cancellationToken);
        // Turns compare the DM id with the remembered one; let them see this one.
        resolutions.Clear();
        return channel;
    }

    [GeneratedRegex("^[CGD][A-Z0-9]{6,}$")]
    private static partial Regex ChannelIdPattern();
}
