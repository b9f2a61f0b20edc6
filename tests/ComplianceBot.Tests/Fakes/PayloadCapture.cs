using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComplianceBot.Tests.Fakes;

/// <summary>
/// Every Slack and Teams payload any test in this process made the host send (blocks, views, Adaptive Cards), recorded
/// by the fakes and the test clients, for <see cref="Channels.PlatformSdkTests"/> to check with the platforms' own SDKs.
/// </summary>
public static class PayloadCapture
{
    public const string SlackBlocks = "slack-blocks";
    public const string SlackModal = "slack-modal";
    public const string SlackHome = "slack-home";
    public const string TeamsCard = "teams-card";

    private static readonly ConcurrentDictionary<string, (string Kind, string Json)> Payloads = new();

    /// <summary>Distinct payloads by content (the same help card sent 50 times is checked once).</summary>
    public static IReadOnlyList<(string Kind, string Json)> All => [.. Payloads.Values];

    public static void Add(string kind, JsonNode? payload)
    {
        if (payload is null)
        {
            return;
        }

        var json = payload.ToJsonString();
        Payloads.TryAdd(kind + ":" + json, (kind, json));
    }

    /// <summary>Slack: message blocks, or a view (modal or home) from views.* or a response_action: update.</summary>
    public static void AddSlack(string method, JsonObject args)
    {
        if (method is "chat.postMessage" or "chat.update" or "chat.postEphemeral" or "response_url" && args["blocks"] is { } blocks)
        {
            Add(SlackBlocks, blocks is JsonValue v && v.GetValueKind() == JsonValueKind.String ? JsonNode.Parse(v.GetValue<string>()) : blocks);
        }

        if (args["view"] is { } view)
        {
            var parsed = view is JsonValue s && s.GetValueKind() == JsonValueKind.String ? JsonNode.Parse(s.GetValue<string>()) : view;
            Add((string?)parsed?["type"] == "home" ? SlackHome : SlackModal, parsed);
        }
    }

    /// <summary>Teams: the Adaptive Cards attached to an activity (or an invoke response's card).</summary>
    public static void AddTeams(JsonNode? activityOrInvokeResponse)
    {
        if (activityOrInvokeResponse is not JsonObject o)
        {
            return;
        }

        if ((string?)o["type"] == "application/vnd.microsoft.card.adaptive")
        {
            Add(TeamsCard, o["value"]);
        }

        foreach (var attachment in (o["attachments"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)attachment["contentType"] == "application/vnd.microsoft.card.adaptive")
            {
                Add(TeamsCard, attachment["content"]);
            }
        }
    }
}
