using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Conversations;

namespace ComplianceBot.Channels.Slack;

/// <summary>What to answer Slack right away: HTTP 200 with an optional JSON body (in Socket Mode, the ack's payload).</summary>
public sealed record SlackAck(JsonObject? Body = null, int Status = 200)
{
    public static SlackAck Empty { get; } = new();
}

/// <summary>
/// Interactivity: block_actions (button → the flow's action; the source message is updated when the flow says so),
/// view_submission (modal form → the form's submit action; validation errors answer response_action: errors) and view_closed.
/// </summary>
public sealed class SlackInteractionHandler(
    SlackIdentity identity,
    TurnProcessor processor,
    SlackBackgroundWork background,
    SlackReplayGuard replays,
    ChoiceSearch choices,
    ILogger<SlackInteractionHandler> logger)
{
    public async Task<SlackAck> HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var type = SlackEventHandler.Str(payload, "type");
        var teamId = payload.TryGetProperty("team", out var team) ? SlackEventHandler.Str(team, "id") : null;
        var userId = payload.TryGetProperty("user", out var user) ? SlackEventHandler.Str(user, "id") : null;
        if (teamId is null || userId is null)
        {
            return new SlackAck(Error("The payload has no team.id or user.id."), 400);
        }

        switch (type)
        {
            case "block_actions":
                await BlockActionsAsync(teamId, userId, payload, cancellationToken);
                return SlackAck.Empty;
            case "view_submission":
                return await ViewSubmissionAsync(teamId, userId, payload, cancellationToken);
            case "block_suggestion":
                return await SuggestAsync(payload, cancellationToken);
            case "view_closed":
                // Nothing was submitted, so nothing is recorded; the flow is still waiting for its form when reopened.
                return SlackAck.Empty;
            default:
                logger.LogInformation("Ignoring Slack interaction of type {Type}", type);
                return SlackAck.Empty;
        }
    }

    /// <summary>An external_select's options, answered in the ack within Slack's 3 seconds (a search, no flow turn).</summary>
    private async Task<SlackAck> SuggestAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var actionId = SlackEventHandler.Str(payload, "action_id") ?? "";
        if (!actionId.StartsWith(SlackRenderer.SearchActionPrefix, StringComparison.Ordinal))
        {
            return new SlackAck(SlackRenderer.Options([]));
        }

        var found = await choices.SearchAsync(actionId[SlackRenderer.SearchActionPrefix.Length..], SlackEventHandler.Str(payload, "value"), 0, ChoiceSearch.MaxResults, cancellationToken);
        return new SlackAck(SlackRenderer.Options(found));
    }

    private async Task BlockActionsAsync(string teamId, string userId, JsonElement payload, CancellationToken cancellationToken)
    {
        if (!payload.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array || actions.GetArrayLength() == 0)
        {
            return;
        }

        var action = actions[0];
        var actionId = SlackEventHandler.Str(action, "action_id") ?? "";
        var value = SlackEventHandler.Str(action, "value");
        var triggerId = SlackEventHandler.Str(payload, "trigger_id");
        var container = payload.TryGetProperty("container", out var c) ? c : default;
        var channel = SlackEventHandler.Str(container, "channel_id") ?? (payload.TryGetProperty("channel", out var ch) ? SlackEventHandler.Str(ch, "id") : null);
        var messageTs = SlackEventHandler.Str(container, "message_ts");
        var ephemeral = container.ValueKind == JsonValueKind.Object && container.TryGetProperty("is_ephemeral", out var eph) && eph.ValueKind == JsonValueKind.True;
        var responseUrl = ephemeral ? SlackEventHandler.Str(payload, "response_url") : null;

        if (actionId == SlackRenderer.OpenFormActionId && value is not null && triggerId is not null)
        {
            await background.EnqueueAsync(async (services, ct) =>
            {
                if (!await services.GetRequiredService<SlackResponder>().OpenStoredFormAsync(value, triggerId, channel, messageTs, ct))
                {
                    await services.GetRequiredService<SlackApiClient>().PostMessageAsync(channel ?? userId,
                        "That form has expired. Ask me again to get a fresh one.", null, null, ct);
                }
            }, cancellationToken);
            return;
        }

        // A click is acted on once, however often its payload arrives (each click carries a fresh trigger_id).
        if (triggerId is not null && !await replays.FirstSeenAsync(SlackReplayGuard.TriggerKey(triggerId), cancellationToken))
        {
            logger.LogWarning("Ignored a second delivery of Slack trigger for action {ActionId}", actionId);
            return;
        }

        var data = SlackRenderer.DecodeValue(value);
        await background.EnqueueAsync(async (services, ct) =>
        {
            var from = await services.GetRequiredService<SlackIdentity>().ResolveAsync(teamId, userId, ct);
            var turn = new Turn(from, channel ?? "home:" + userId)
            {
                Action = new TurnAction(SlackRenderer.FlowActionId(actionId), data),
                Source = channel is not null && messageTs is not null ? new MessageRef(ChannelKind.Slack, channel, messageTs) : null,
                IsDirect = channel?.StartsWith('D') ?? true,
            };
            var result = await services.GetRequiredService<TurnProcessor>().ProcessAsync(turn, ct);
            await services.GetRequiredService<SlackResponder>().DeliverAsync(result.Replies,
                new SlackTarget(userId, channel, null, responseUrl, triggerId, messageTs, ephemeral), ct);
        }, cancellationToken);
    }

    private async Task<SlackAck> ViewSubmissionAsync(string teamId, string userId, JsonElement payload, CancellationToken cancellationToken)
    {
        if (!payload.TryGetProperty("view", out var view) || view.ValueKind != JsonValueKind.Object)
        {
            return new SlackAck(Error("A view_submission needs a \"view\" object."), 400);
        }

        if (SlackEventHandler.Str(view, "callback_id") != SlackRenderer.FormCallbackId || SlackFormContext.Parse(SlackEventHandler.Str(view, "private_metadata")) is not { } context)
        {
            return SlackAck.Empty;
        }

        var values = SlackRenderer.ReadValues(view.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.Object && state.TryGetProperty("values", out var v) ? v : default);
        var missing = context.Required.Where(id => string.IsNullOrWhiteSpace(values.GetValueOrDefault(id))).ToList();
        if (missing.Count > 0)
        {
            return Errors(missing.ToDictionary(id => id, _ => "Please fill this in."));
        }

        // A view is submitted once per state (Slack changes view.hash on every update): creating a change, an attestation
        // or a decision from it again would duplicate it, so a second submission of the same view and hash is a no-op.
        var viewKey = SlackEventHandler.Str(view, "id") is { } viewId ? SlackReplayGuard.ViewKey(viewId, SlackEventHandler.Str(view, "hash")) : null;
        if (viewKey is not null && !await replays.FirstSeenAsync(viewKey, cancellationToken))
        {
            logger.LogWarning("Ignored a second submission of a Slack view");
            return SlackAck.Empty;
        }

        var data = new Dictionary<string, string>(context.Data ?? new Dictionary<string, string>());
        foreach (var (key, value) in values)
        {
            data[key] = value;
        }

        // Answered inline: Slack wants validation errors (or the next step) in this very response.
        var from = await identity.ResolveAsync(teamId, userId, cancellationToken);
        var turn = new Turn(from, context.Channel ?? "home:" + userId)
        {
            Action = new TurnAction(context.SubmitActionId, data),
            Source = context.Channel is not null && context.MessageTs is not null ? new MessageRef(ChannelKind.Slack, context.Channel, context.MessageTs) : null,
            IsDirect = context.Channel?.StartsWith('D') ?? true,
        };
        var result = await processor.ProcessAsync(turn, cancellationToken);
        if (result.Replies.FirstOrDefault(r => r.Form is { Errors.Count: > 0 }) is { Form: { } invalid })
        {
            // Nothing was created: the corrected view comes back with the same id and hash and must be taken then.
            if (viewKey is not null)
            {
                await replays.ForgetAsync(viewKey, cancellationToken);
            }

            return Errors(invalid.Errors);
        }

        var rest = result.Replies.ToList();
        SlackAck ack = SlackAck.Empty;
        if (rest.FirstOrDefault(r => r.Form is not null) is { Form: { } next } stepReply)
        {
            // The flow asks for another step: replace the modal's content (response_action: update).
            rest.Remove(stepReply);
            ack = new SlackAck(new JsonObject
            {
                ["response_action"] = "update",
                ["view"] = SlackRenderer.RenderModal(next, stepReply.Text, SlackResponder.ContextFor(next, context.Channel, context.MessageTs)),
            });
        }

        if (rest.Count > 0)
        {
            await background.EnqueueAsync((services, ct) => services.GetRequiredService<SlackResponder>()
                .DeliverAsync(rest, new SlackTarget(userId, context.Channel, SourceTs: context.MessageTs), ct), cancellationToken);
        }

        return ack;
    }

    private static SlackAck Errors(IReadOnlyDictionary<string, string> errors) => new(new JsonObject
    {
        ["response_action"] = "errors",
        ["errors"] = new JsonObject([.. errors.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value)))]),
    });

    internal static JsonObject Error(string message) => new() { ["error"] = message };
}
