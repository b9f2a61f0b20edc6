using System.Net;
using ComplianceBot.Conversations;
using ComplianceBot.Outbox;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Teams;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// The Teams side of a turn: translate the activity, run it through the <see cref="TurnProcessor"/>, render the
/// replies as Adaptive Cards. Unhandled invokes (task modules, file consent…) keep the SDK's 501.
/// </summary>
public sealed class TeamsBot(
    TurnProcessor processor, ChoiceSearch choices, TeamsUsers users, MessageParts parts, DeliveryArrivals arrivals, IHttpClientFactory httpClients, IMemoryCache seen,
    IOptions<TeamsOptions> options, ILogger<TeamsBot> logger) : TeamsActivityHandler
{
    /// <summary>
    /// Redelivery. The Bot Connector may deliver an activity again, with the same activity.id, when we answer slowly,
    /// and with several hosts on one database the copy may reach a host that never saw the first. Correctness does not
    /// depend on this method: every state-changing handler is idempotent on redelivery in the domain itself, for every
    /// channel. A submission the task's current attestation already states, an approver's second decision on a change,
    /// a review item that already holds that keep/revoke by that person, evidence already attached to the task (same
    /// SHA-256) write nothing and answer "already recorded"/"already attached"; a file already waiting is answered "I
    /// already have it waiting"; when two copies race, unique indexes and version tokens let exactly one write in and
    /// the other is answered the same way. We chose this over storing activity ids, which would cost a database write
    /// per activity (target 2,500 activities/s) and still need the same rules for the copy that races the first.
    /// <para>
    /// What this method adds is politeness only: a second copy of a message reaching the same host within 5 minutes is
    /// dropped, so that user does not get the same answer twice. Invokes are never dropped (the connector waits for
    /// their response), so every copy of a card action is answered by the domain. See TeamsRedeliveryTests.</para>
    /// </summary>
    public override Task OnTurnAsync(ITurnContext turnContext, CancellationToken cancellationToken = default)
    {
        var activity = turnContext.Activity;
        if (activity.Type == ActivityTypes.Message && activity.Id is { Length: > 0 } id)
        {
            var key = $"teams-activity:{activity.Conversation?.Id}:{id}";
            if (seen.TryGetValue(key, out _))
            {
                logger.LogInformation("Dropped a redelivered Teams message {Id}", id);
                return Task.CompletedTask;
            }

            seen.Set(key, true, TimeSpan.FromMinutes(5));
        }

        return base.OnTurnAsync(turnContext, cancellationToken);
    }

    /// <summary>Typeahead in an Input.ChoiceSet with choices.data (application/search); every other invoke as the SDK routes it.</summary>
    protected override async Task<InvokeResponse> OnInvokeActivityAsync(ITurnContext<IInvokeActivity> turnContext, CancellationToken cancellationToken)
    {
        if (turnContext.Activity.Name != "application/search")
        {
            return await base.OnInvokeActivityAsync(turnContext, cancellationToken);
        }

        var value = turnContext.Activity.Value as JObject;
        var dataset = value?.Value<string>("dataset");
        if (dataset is null)
        {
            return new InvokeResponse { Status = (int)HttpStatusCode.BadRequest };
        }

        var options = value!["queryOptions"] as JObject;
        var found = await choices.SearchAsync(dataset, value.Value<string>("queryText"), options?.Value<int?>("skip") ?? 0, options?.Value<int?>("top") ?? 15, cancellationToken);
        return new InvokeResponse { Status = (int)HttpStatusCode.OK, Body = JObject.Parse(TeamsRenderer.SearchResponse(found).ToJsonString()) };
    }

    protected override async Task OnMessageActivityAsync(ITurnContext<IMessageActivity> turnContext, CancellationToken cancellationToken)
    {
        var activity = (Activity)turnContext.Activity;
        var email = await users.EmailAsync(turnContext, cancellationToken);
        var turn = TeamsTranslator.FromMessage(activity, email, DownloadAsync);
        if (turn.Action is null && string.IsNullOrEmpty(turn.Text) && turn.Files.Count == 0)
        {
            // A bare @mention or an attachment we cannot read (e.g. a file in a channel, which needs Graph).
            await turnContext.SendActivityAsync(
                TeamsTranslator.IsDirect(activity) || activity.Attachments is not { Count: > 0 }
                    ? "Type \"help\" to see what I can do."
                    : "I can only take files in our 1:1 chat. Send it to me there.",
                cancellationToken: cancellationToken);
            return;
        }

        var result = await processor.ProcessAsync(turn, cancellationToken);
        await AfterTurnAsync(activity, turn, result, cancellationToken);
        foreach (var reply in result.Replies)
        {
            var cards = TeamsRenderer.Render(reply, await RefreshUsersAsync(reply, cancellationToken));
            // An Action.Submit fallback came from a card: replace that card (every part of it) when the flow says so.
            if (reply.UpdatesSource && turn.Source is { } source)
            {
                await parts.ReplaceAsync(source, cards, new TurnSurface(turnContext, reply), cancellationToken);
                continue;
            }

            await SendCardsAsync(turnContext, turn.ConversationId, cards, reply, cancellationToken);
        }
    }

    private async Task SendCardsAsync(ITurnContext turnContext, string conversationId, IReadOnlyList<System.Text.Json.Nodes.JsonObject> cards, Reply reply, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        var surface = new TurnSurface(turnContext, reply);
        foreach (var card in cards)
        {
            ids.Add(await surface.PostAsync(card, cancellationToken));
        }

        if (ids.Count > 1 && ids[0].Length > 0)
        {
            await parts.RecordAsync(new MessageRef(ChannelKind.Teams, conversationId, ids[0]), ids[1..], cancellationToken);
        }
    }

    /// <summary>The cards of the conversation a turn came from, for <see cref="MessageParts"/>.</summary>
    private sealed class TurnSurface(ITurnContext turnContext, Reply reply) : IMessageSurface<System.Text.Json.Nodes.JsonObject>
    {
        public Task UpdateAsync(string messageId, System.Text.Json.Nodes.JsonObject card, CancellationToken cancellationToken) =>
            turnContext.UpdateActivityAsync(CardActivity(card, reply, messageId), cancellationToken);

        public async Task<string> PostAsync(System.Text.Json.Nodes.JsonObject card, CancellationToken cancellationToken) =>
            (await turnContext.SendActivityAsync(CardActivity(card, reply), cancellationToken))?.Id ?? "";

        public Task DeleteAsync(string messageId, CancellationToken cancellationToken) => turnContext.DeleteActivityAsync(messageId, cancellationToken);
    }

    /// <summary>
    /// Action.Execute. The invoke response carries the card the clicking user sees. When the reply updates its source
    /// (a decision that concerns everyone), the original message is also replaced for everyone (PUT) — except for an
    /// automatic refresh, which is one person's own view. Other replies are posted as new messages.
    /// </summary>
    protected override async Task<AdaptiveCardInvokeResponse> OnAdaptiveCardInvokeAsync(ITurnContext<IInvokeActivity> turnContext, AdaptiveCardInvokeValue invokeValue, CancellationToken cancellationToken)
    {
        var activity = (Activity)turnContext.Activity;
        var email = await users.EmailAsync(turnContext, cancellationToken);
        var turn = TeamsTranslator.FromCardAction(activity, invokeValue, email);
        var automatic = TeamsTranslator.IsAutomaticRefresh(activity);
        if (TeamsDeliveryKeys.From(invokeValue) is { } deliveryKey && turn.Source is { } clicked)
        {
            // Settled first, in its own save: the turn's card updates then know this message by its id.
            await arrivals.RecordAsync(deliveryKey, turn.From, clicked, cancellationToken);
        }

        var result = await processor.ProcessAsync(turn, cancellationToken);
        await AfterTurnAsync(activity, turn, result, cancellationToken);

        JRaw? responseCard = null;
        foreach (var reply in result.Replies)
        {
            var cards = TeamsRenderer.Render(reply, await RefreshUsersAsync(reply, cancellationToken));
            if (responseCard is null && (reply.UpdatesSource || automatic))
            {
                if (!automatic && turn.Source is { } source)
                {
                    // The clicked card answers with its own part; every part of the message is replaced for everyone.
                    var (_, position) = await parts.HeadOfAsync(source, cancellationToken);
                    responseCard = AsJson(cards[Math.Min(position, cards.Count - 1)]);
                    await parts.ReplaceAsync(source, cards, new TurnSurface(turnContext, reply), cancellationToken);
                }
                else
                {
                    // An automatic refresh is one person's view of the card they are looking at; its other parts stay shared.
                    responseCard = AsJson(cards[0]);
                }

                continue;
            }

            await SendCardsAsync(turnContext, turn.ConversationId, cards, reply, cancellationToken);
        }

        return responseCard is not null
            ? new AdaptiveCardInvokeResponse { StatusCode = (int)HttpStatusCode.OK, Type = TeamsRenderer.CardContentType, Value = responseCard }
            : new AdaptiveCardInvokeResponse
            {
                // The card stays as it was; the answer arrived as a new message. Teams shows this text briefly on the card.
                StatusCode = (int)HttpStatusCode.OK,
                Type = "application/vnd.microsoft.activity.message",
                Value = result.Replies.Count > 0 ? "Done, see my reply below." : "Done.",
            };
    }

    /// <summary>A person installed the app or added the bot: remember how to reach them (1:1) or link the roster (team, group chat).</summary>
    protected override async Task OnMembersAddedAsync(IList<ChannelAccount> membersAdded, ITurnContext<IConversationUpdateActivity> turnContext, CancellationToken cancellationToken)
    {
        var activity = (Activity)turnContext.Activity;
        var botAdded = membersAdded.Any(m => m.Id == activity.Recipient?.Id);
        if (TeamsTranslator.IsDirect(activity))
        {
            var email = await users.EmailAsync(turnContext, cancellationToken);
            var turn = TeamsTranslator.FromMessage(activity, email, DownloadAsync) with { Text = "help" };
            var result = await processor.ProcessAsync(turn, cancellationToken);
            foreach (var reply in result.Replies)
            {
                foreach (var card in TeamsRenderer.Render(reply))
                {
                    await turnContext.SendActivityAsync(CardActivity(card, reply), cancellationToken);
                }
            }
        }
        else if (botAdded)
        {
            await users.LinkRosterAsync(turnContext, cancellationToken);
        }
    }

    private async Task AfterTurnAsync(Activity activity, Turn turn, TurnResult result, CancellationToken cancellationToken)
    {
        if (!turn.IsDirect && result.Person is not null)
        {
            await users.RememberMriAsync(activity, cancellationToken);
        }
    }

    private Task<IReadOnlyList<string>> RefreshUsersAsync(Reply reply, CancellationToken cancellationToken) =>
        reply.Refresh is { } refresh ? users.MrisAsync(refresh.PersonIds, cancellationToken) : Task.FromResult<IReadOnlyList<string>>([]);

    private async Task<Stream> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !TeamsFileDownloadPolicy.IsAllowed(uri, options.Value.AdditionalFileDownloadHosts))
        {
            logger.LogWarning("Refused to download a Teams file from {Host}: not a OneDrive/SharePoint host", uri?.Host ?? "(invalid URL)");
            throw new InvalidDataException("That file link does not point to OneDrive or SharePoint, so I did not fetch it.");
        }

        // downloadUrl is pre-authenticated and short-lived: no Authorization header (a bot token would be refused).
        var response = await httpClients.CreateClient(TeamsChannel.FilesClientName).GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            logger.LogWarning("Downloading a Teams file failed with {Status}", response.StatusCode);
            response.EnsureSuccessStatusCode();
        }

        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    /// <summary>A message activity carrying one card; with an id, it replaces that earlier message.</summary>
    public static Activity CardActivity(System.Text.Json.Nodes.JsonObject card, Reply reply, string? replaces = null)
    {
        var activity = (Activity)MessageFactory.Attachment(new Attachment(TeamsRenderer.CardContentType, content: AsJson(card)));
        var summary = SafeText.Clean(reply.Fallback);
        activity.Summary = summary.Length > 200 ? summary[..200] : summary;
        activity.Id = replaces;
        return activity;
    }

    /// <summary>
    /// The card as JSON the SDK's Json.NET writes verbatim. Our renderer builds System.Text.Json nodes; re-parsing them into
    /// a JObject tree only to serialise it again cost a few percent of a turn.
    /// </summary>
    private static JRaw AsJson(System.Text.Json.Nodes.JsonObject card) => new(TeamsRenderer.ToJson(card));
}
