using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Tests.Fakes;

namespace ComplianceBot.Tests.Channels.Slack;

/// <summary>
/// A person using the bot in Slack: reads the blocks the bot posted at the fake Web API, clicks their buttons
/// (signed block_actions) and submits modals (signed view_submission), the way Slack's client does.
/// </summary>
public sealed class SlackPerson(SlackBot bot)
{
    // Slack's trigger ids are unique per click, and the host acts on each once: unique per person too, not only per click.
    private readonly string _triggerPrefix = Guid.NewGuid().ToString("N")[..8];
    private int _trigger;

    /// <summary>A button as Slack sends it back: its action_id and value, and the text of the item it sits under.</summary>
    public sealed record Button(string ActionId, string Value, string? Item, bool Confirms);

    /// <summary>A message the bot posted or updated, and the ts our clicks say they came from.</summary>
    public sealed record Message(SlackCall Call, string Channel, string Ts)
    {
        public string Text => Call.Arg("text") ?? "";

        public List<Button> Buttons()
        {
            var buttons = new List<Button>();
            string? item = null;
            foreach (var block in Call.Args["blocks"]!.AsArray())
            {
                var type = (string?)block!["type"];
                if (type == "section" && block["text"]?["text"] is { } text)
                {
                    item = (string?)text;
                }

                IEnumerable<JsonNode?> elements = type == "actions" ? block["elements"]!.AsArray() : block["accessory"] is { } accessory ? [accessory] : [];
                buttons.AddRange(elements.Where(e => (string?)e!["type"] == "button").Select(e => new Button((string)e!["action_id"]!, (string?)e["value"] ?? "", item, e["confirm"] is not null)));
            }

            return buttons;
        }

        public Button Find(string flowActionId, string? account = null) =>
            Buttons().First(b => SlackRenderer.FlowActionId(b.ActionId) == flowActionId && (account is null || (b.Item?.StartsWith(account + " ", StringComparison.Ordinal) ?? false)));

        public bool Has(string flowActionId) => Buttons().Any(b => SlackRenderer.FlowActionId(b.ActionId) == flowActionId);
    }

    public static JsonObject BlockAction(string user, string channel, string ts, Button button, string triggerId) =>
        SlackPayloads.BlockAction(user, channel, ts, button.ActionId, button.Value, triggerId);

    /// <summary>Waits for the bot's next <paramref name="method"/> call after <paramref name="after"/> calls, matching <paramref name="match"/>.</summary>
    public Task<SlackCall> NextAsync(int after, string method, Func<SlackCall, bool> match) =>
        bot.Slack.WaitForAsync(c => c.Method == method && match(c) && IndexOf(c) >= after);

    private int IndexOf(SlackCall call)
    {
        var calls = bot.Slack.Calls;
        for (var i = 0; i < calls.Count; i++)
        {
            if (ReferenceEquals(calls[i], call))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Clicks a button; the answer is the message it updated (or the new message / modal the bot sent).</summary>
    public async Task<Message> ClickAsync(string user, Message on, Button button, string method = "chat.update")
    {
        var before = bot.Slack.Calls.Count;
        var trigger = $"trigger-{_triggerPrefix}-{++_trigger}";
        var response = await bot.PostInteractionAsync(BlockAction(user, on.Channel, on.Ts, button, trigger));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = await NextAsync(before, method, c => method == "views.open" ? c.Arg("trigger_id") == trigger : c.Arg("channel") == on.Channel);
        return new Message(call, on.Channel, method == "chat.update" ? on.Ts : $"1800000000.{_trigger:D6}");
    }

    public Task<JsonElement> SubmitAsync(string user, Message modal, string inputId, string? typed) =>
        SubmitAsync(user, modal, new Dictionary<string, JsonObject> { [inputId] = SlackPayloads.Typed(typed) });

    /// <summary>Submits a modal with several inputs' states (<see cref="SlackPayloads.Typed"/>, <see cref="SlackPayloads.Selected"/>).</summary>
    public async Task<JsonElement> SubmitAsync(string user, Message modal, Dictionary<string, JsonObject> values)
    {
        var response = await bot.PostInteractionAsync(SlackPayloads.ViewSubmission(user, modal.Call.Args["view"]!, values));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }
}
