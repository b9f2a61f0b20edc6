using System.Net;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// Proactive Teams messages: continue the stored 1:1 conversation; create it when we know the person's MRI but
/// have no chat yet; update earlier cards by activity id; post to configured channels. Throttling (429/412/502/504)
/// is retried by the connector HttpClient; a 403 (blocked, uninstalled) forgets the reference so the person is
/// reached on another channel until they talk to the bot again.
/// </summary>
public sealed class TeamsMessenger(
    TeamsAdapter adapter,
    TeamsAuth auth,
    ComplianceDbContext db,
    TeamsUsers users,
    MessageParts parts,
    PersonResolutionCache resolutions,
    IConfiguration configuration,
    IOptions<TeamsOptions> options,
    ILogger<TeamsMessenger> logger) : IChannelMessenger
{
    public ChannelKind Channel => ChannelKind.Teams;

    private string? BotAppId => BotCredentials.From(configuration).AppId;

    public bool CanReach(Person person) =>
        auth.Mode != TeamsAuthMode.Inactive
        && db.ChannelAccounts.Any(a => a.PersonId == person.Id && a.Channel == ChannelKind.Teams && a.ConversationReference != null);

    public Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken) =>
        SendCoreAsync(person, reply, null, null, cancellationToken);

    /// <summary>
    /// The Bot Connector takes no idempotency key and cannot be asked what a conversation holds, so the attempt is
    /// recorded right before the first POST: a crash while the chat is found or created, or the card rendered, leaves
    /// nothing in doubt and the message is simply sent again. The cards carry the key, so a click settles a doubt.
    /// </summary>
    public Task<MessageRef> SendAsync(Person person, Reply reply, string deliveryKey, Func<CancellationToken, Task> beforeSend, CancellationToken cancellationToken) =>
        SendCoreAsync(person, reply, deliveryKey, beforeSend, cancellationToken);

    public Task<MessageRef> SendAsync(Person person, Reply reply, string deliveryKey, CancellationToken cancellationToken) =>
        SendCoreAsync(person, reply, deliveryKey, null, cancellationToken);

    private async Task<MessageRef> SendCoreAsync(Person person, Reply reply, string? deliveryKey, Func<CancellationToken, Task>? beforeSend, CancellationToken cancellationToken)
    {
        var account = await db.ChannelAccounts
            .Where(a => a.PersonId == person.Id && a.Channel == ChannelKind.Teams && a.ConversationReference != null)
            .OrderByDescending(a => a.ConversationId != null).ThenByDescending(a => a.LinkedAt)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new MessageDeliveryException($"{person.Email} has no Teams conversation with the bot.", null);
        var reference = TeamsUsers.Parse(account.ConversationReference)!;
        var cards = TeamsRenderer.Render(reply, await RefreshUsersAsync(reply, cancellationToken));
        if (deliveryKey is not null)
        {
            foreach (var card in cards)
            {
                TeamsDeliveryKeys.Stamp(card, deliveryKey);
            }
        }

        try
        {
            if (string.IsNullOrEmpty(reference.Conversation?.Id))
            {
                reference = await CreatePersonalChatAsync(reference, cancellationToken);
                account.ConversationId = reference.Conversation.Id;
                account.ConversationReference = JsonConvert.SerializeObject(reference);
                await db.SaveChangesAsync(cancellationToken);
                // The next turn from this person must compare its reference with the one stored now.
                resolutions.Clear();
            }

            var id = await SendCardsAsync(reference, cards, reply, beforeSend, cancellationToken);
            return new MessageRef(ChannelKind.Teams, reference.Conversation.Id, id);
        }
        catch (ErrorResponseException ex) when (ex.Response?.StatusCode == HttpStatusCode.Forbidden)
        {
            // The user blocked or uninstalled the bot: stop using this reference (their next message restores it).
            logger.LogWarning("Teams refused a message to {Email} (403 {Body}); forgetting the conversation reference", person.Email, ex.Response.Content);
            await db.ChannelAccounts.Where(a => a.Id == account.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.ConversationReference, (string?)null).SetProperty(a => a.ConversationId, (string?)null), cancellationToken);
            // So their next message stores the reference again instead of matching the remembered one.
            resolutions.Clear();
            throw new MessageDeliveryException($"Teams refused the message to {person.Email} (the bot is blocked or uninstalled).", ex);
        }
    }

    public async Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken)
    {
        var reference = await ReferenceForAsync(message.ConversationId, cancellationToken);
        var cards = TeamsRenderer.Render(reply, await RefreshUsersAsync(reply, cancellationToken));
        await adapter.ContinueConversationAsync(BotAppId, reference, (turnContext, ct) =>
            parts.ReplaceAsync(message, cards, new ProactiveSurface(turnContext, reference, reply), ct), cancellationToken);
    }

    /// <summary>A conversation reached proactively: new cards go straight to the conversation, not as replies.</summary>
    private sealed class ProactiveSurface(ITurnContext turnContext, ConversationReference reference, Reply reply) : IMessageSurface<System.Text.Json.Nodes.JsonObject>
    {
        public Task UpdateAsync(string messageId, System.Text.Json.Nodes.JsonObject card, CancellationToken cancellationToken) =>
            turnContext.UpdateActivityAsync(TeamsBot.CardActivity(card, reply, messageId), cancellationToken);

        public async Task<string> PostAsync(System.Text.Json.Nodes.JsonObject card, CancellationToken cancellationToken)
        {
            // Straight to the conversation (POST …/activities), not as a reply: TurnContext would reply to the
            // synthetic continuation activity's id, which Teams does not know.
            var activity = TeamsBot.CardActivity(card, reply);
            activity.ApplyConversationReference(reference);
            activity.ReplyToId = null;
            var response = await turnContext.TurnState.Get<IConnectorClient>().Conversations.SendToConversationAsync(activity, cancellationToken);
            return response?.Id ?? throw new MessageDeliveryException("The Bot Connector did not return an activity id.", null);
        }

        public Task DeleteAsync(string messageId, CancellationToken cancellationToken) => turnContext.DeleteActivityAsync(messageId, cancellationToken);
    }

    public async Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken)
    {
        var name = channelName.TrimStart('#');
        var channelId = options.Value.Channels.FirstOrDefault(c => string.Equals(c.Key.TrimStart('#'), name, StringComparison.OrdinalIgnoreCase)).Value;
        if (auth.Mode == TeamsAuthMode.Inactive || string.IsNullOrEmpty(channelId))
        {
            return null;
        }

        var reference = ChannelReference(channelId);
        var cards = TeamsRenderer.Render(reply, await RefreshUsersAsync(reply, cancellationToken));
        var id = await SendCardsAsync(reference, cards, reply, null, cancellationToken);
        return new MessageRef(ChannelKind.Teams, channelId, id);
    }

    private async Task<string> SendCardsAsync(ConversationReference reference, IReadOnlyList<System.Text.Json.Nodes.JsonObject> cards, Reply reply,
        Func<CancellationToken, Task>? beforeSend, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await adapter.ContinueConversationAsync(BotAppId, reference, async (turnContext, ct) =>
        {
            var surface = new ProactiveSurface(turnContext, reference, reply);
            if (beforeSend is not null)
            {
                await beforeSend(ct);
            }

            foreach (var card in cards)
            {
                ids.Add(await surface.PostAsync(card, ct));
            }
        }, cancellationToken);
        if (ids.Count > 1)
        {
            await parts.RecordAsync(new MessageRef(ChannelKind.Teams, reference.Conversation.Id, ids[0]), ids[1..], cancellationToken);
        }

        return ids[0];
    }

    /// <summary>POST v3/conversations for a 1:1 chat with the user's MRI; works once the app is installed for them.</summary>
    private async Task<ConversationReference> CreatePersonalChatAsync(ConversationReference partial, CancellationToken cancellationToken)
    {
        var tenantId = partial.Conversation?.TenantId ?? options.Value.TenantId ?? BotCredentials.From(configuration).TenantId;
        var parameters = new ConversationParameters
        {
            IsGroup = false,
            Bot = partial.Bot,
            Members = [partial.User],
            TenantId = tenantId,
            ChannelData = new { tenant = new { id = tenantId } },
        };
        ConversationReference? created = null;
        await adapter.CreateConversationAsync(BotAppId, partial.ChannelId ?? Microsoft.Bot.Connector.Channels.Msteams, partial.ServiceUrl ?? options.Value.ServiceUrl, null, parameters,
            (turnContext, _) =>
            {
                created = turnContext.Activity.GetConversationReference();
                created.ActivityId = null;
                created.User = partial.User;
                created.Bot = partial.Bot;
                created.Conversation.TenantId ??= tenantId;
                return Task.CompletedTask;
            },
            cancellationToken);
        return created ?? throw new MessageDeliveryException("Teams did not create the 1:1 conversation.", null);
    }

    private async Task<ConversationReference> ReferenceForAsync(string conversationId, CancellationToken cancellationToken)
    {
        var stored = await db.ChannelAccounts.AsNoTracking()
            .Where(a => a.Channel == ChannelKind.Teams && a.ConversationId == conversationId && a.ConversationReference != null)
            .Select(a => a.ConversationReference).FirstOrDefaultAsync(cancellationToken);
        return TeamsUsers.Parse(stored) ?? ChannelReference(conversationId);
    }

    /// <summary>A shared channel or chat we hold no 1:1 reference for: the configured service URL and tenant.</summary>
    private ConversationReference ChannelReference(string conversationId)
    {
        var tenantId = options.Value.TenantId ?? BotCredentials.From(configuration).TenantId;
        return new ConversationReference
        {
            ChannelId = Microsoft.Bot.Connector.Channels.Msteams,
            ServiceUrl = options.Value.ServiceUrl,
            Bot = new Microsoft.Bot.Schema.ChannelAccount(BotAppId is null ? null : $"28:{BotAppId}"),
            Conversation = new ConversationAccount(isGroup: true, id: conversationId, tenantId: tenantId),
        };
    }

    private Task<IReadOnlyList<string>> RefreshUsersAsync(Reply reply, CancellationToken cancellationToken) =>
        reply.Refresh is { } refresh ? users.MrisAsync(refresh.PersonIds, cancellationToken) : Task.FromResult<IReadOnlyList<string>>([]);
}
