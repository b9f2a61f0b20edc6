using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Tests.Fakes;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>Reads the Adaptive Cards we send to Teams: recorded at the <see cref="FakeBotConnector"/>, answered in an invoke, or rendered.</summary>
public static class TeamsCards
{
    /// <summary>The card a recorded Bot Connector call carried (its first attachment's content).</summary>
    public static JsonObject Card(RecordedCall call) => call.Body!["attachments"]![0]!["content"]!.AsObject();

    /// <summary>Every object in the tree, depth first, starting with <paramref name="node"/> itself.</summary>
    public static IEnumerable<JsonObject> Descendants(JsonNode node) => node switch
    {
        JsonObject o => [o, .. o.Select(p => p.Value).Where(v => v is not null).SelectMany(v => Descendants(v!))],
        JsonArray a => a.Where(v => v is not null).SelectMany(v => Descendants(v!)),
        _ => [],
    };

    /// <summary>Every string in the card (texts, facts, titles), unescaped, one a line, for "does it say X" assertions.</summary>
    public static string Text(JsonNode card) =>
        string.Join("\n", Descendants(card).SelectMany(o => o.Select(p => p.Value)).OfType<JsonValue>()
            .Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()));

    /// <summary>Every Action.Execute in the card, in card order: buttons, those inside an Action.ShowCard, and the refresh action.</summary>
    public static IEnumerable<JsonObject> Actions(JsonNode card) =>
        Descendants(card).Where(n => (string?)n["type"] == "Action.Execute");

    /// <summary>
    /// The first Action.Execute with this verb; with <paramref name="after"/>, the first whose data stands after that text in
    /// the card (an item's buttons follow its text, so this picks the button of one account or task).
    /// </summary>
    public static JsonObject Action(JsonNode card, string verb, string? after = null)
    {
        var actions = Actions(card).Where(n => (string?)n["verb"] == verb).ToList();
        if (after is null)
        {
            return actions.First();
        }

        var json = card.ToJsonString();
        var at = json.IndexOf(after, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"The card does not say '{after}'.");
        }

        return actions.First(a => json.IndexOf(a["data"]!.ToJsonString(), at, StringComparison.Ordinal) > at);
    }

    /// <summary>A copy of the data of <see cref="Action"/>, ready to fill in and send back in a card action.</summary>
    public static JsonObject ActionData(JsonNode card, string verb, string? after = null) =>
        Action(card, verb, after)["data"]!.DeepClone().AsObject();

    /// <summary>The input (or any element) with this id; there must be exactly one.</summary>
    public static JsonObject Input(JsonNode card, string id) => Descendants(card).Single(n => (string?)n["id"] == id);

    /// <summary>The values an Input.ChoiceSet offers, in order.</summary>
    public static List<string?> Choices(JsonNode input) => [.. input["choices"]!.AsArray().Select(c => (string?)c!["value"])];
}
