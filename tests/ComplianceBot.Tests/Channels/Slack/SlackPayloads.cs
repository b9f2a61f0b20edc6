using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Tests.Fakes;

namespace ComplianceBot.Tests.Channels.Slack;

/// <summary>Interaction payloads as Slack's client sends them: a button click (block_actions) and a modal submission (view_submission).</summary>
public static class SlackPayloads
{
    public static JsonObject BlockAction(string user, string channel, string messageTs, string actionId, string value, string? triggerId = null) => new()
    {
        ["type"] = "block_actions",
        ["team"] = new JsonObject { ["id"] = FakeSlack.TeamId },
        ["user"] = new JsonObject { ["id"] = user },
        ["api_app_id"] = "A0TEST",
        ["trigger_id"] = triggerId ?? "trigger-" + Guid.NewGuid().ToString("N"),
        ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channel, ["is_ephemeral"] = false },
        ["channel"] = new JsonObject { ["id"] = channel },
        ["response_url"] = "https://hooks.slack.com/actions/T/1/x",
        ["actions"] = new JsonArray(new JsonObject { ["type"] = "button", ["action_id"] = actionId, ["block_id"] = "b1", ["value"] = value, ["action_ts"] = "1796392801.1" }),
    };

    /// <summary>What Slack sends when the user submits the modal we opened: our private_metadata and the values per input block.</summary>
    public static JsonObject ViewSubmission(string user, JsonNode openedView, Dictionary<string, JsonObject> values, string? viewId = null) => new()
    {
        ["type"] = "view_submission",
        ["team"] = new JsonObject { ["id"] = FakeSlack.TeamId },
        ["user"] = new JsonObject { ["id"] = user },
        ["view"] = new JsonObject
        {
            ["id"] = viewId ?? "V" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant(),
            ["type"] = "modal",
            ["callback_id"] = openedView["callback_id"]!.GetValue<string>(),
            ["private_metadata"] = openedView["private_metadata"]!.GetValue<string>(),
            ["hash"] = "156772938.1827394",
            ["state"] = new JsonObject { ["values"] = new JsonObject([.. values.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)new JsonObject { [SlackRenderer.InputActionId] = v.Value }))]) },
        },
    };

    /// <summary>A radio-button input's state with <paramref name="value"/> chosen.</summary>
    public static JsonObject Selected(string value) => new() { ["type"] = "radio_buttons", ["selected_option"] = new JsonObject { ["value"] = value } };

    /// <summary>A text input's state with <paramref name="value"/> typed.</summary>
    public static JsonObject Typed(string? value) => new() { ["type"] = "plain_text_input", ["value"] = value };
}
