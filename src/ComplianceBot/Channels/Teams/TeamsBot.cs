using System.Net;
using ComplianceBot.Conversations;
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
public sealed class TeamsBot(TurnProcessor processor, ChoiceSearch choices, TeamsUsers users, IHttpClientFactory httpClients, IMemoryCache seen, IOptions<TeamsOptions> options, ILogger<TeamsBot> logger) : TeamsActivityHandler
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
            // An Action.Submit fallback came from a card: replace that card when the flow says so.
            if (reply.UpdatesSource && turn.Source is { } source)
            {
                await turnContext.UpdateActivityAsync(CardActivity(cards[0], reply, source.MessageId), cancellationToken);
                cards = [.. cards.Skip(1)];
            }

            foreach (var card in cards)
            {
                await turnContext.SendActivityAsync(CardActivity(card, reply), cancellationToken);
            }
        }
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
        var result = await processor.ProcessAsync(turn, cancellationToken);
        await AfterTurnAsync(activity, turn, result, cancellationToken);

        JRaw? responseCard = null;
        foreach (var reply in result.Replies)
        {
            var cards = TeamsRenderer.Render(reply, await RefreshUsersAsync(reply, cancellationToken));
            if (responseCard is null && (reply.UpdatesSource || automatic))
            {
                responseCard = AsJson(cards[0]);
                if (!automatic && turn.Source is { } source)
                {
                    await turnContext.UpdateActivityAsync(CardActivity(cards[0], reply, source.MessageId), cancellationToken);
                }

                cards = [.. cards.Skip(1)];
            }

            foreach (var card in cards)
            {
                await turnContext.SendActivityAsync(CardActivity(card, reply), cancellationToken);
            }
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
        activity.Summary = reply.Fallback.Length > 200 ? reply.Fallback[..200] : reply.Fallback;
        activity.Id = replaces;
        return activity;
    }

    /// <summary>
    /// The card as JSON the SDK's Json.NET writes verbatim. Our renderer builds System.Text.Json nodes; re-parsing them into
    /// a JObject tree only to serialise it again cost a few percent of a turn.
    /// </summary>
    private static JRaw AsJson(System.Text.Json.Nodes.JsonObject card) => new(card.ToJsonString());
}
