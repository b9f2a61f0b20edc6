using System.Text.Json.Nodes;
using Microsoft.Bot.Schema;
using Newtonsoft.Json.Linq;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// A proactive card carries its outbox key in every Action.Execute's data. Teams echoes the data with the click, and
/// the click names its message (replyToId): together they prove which send arrived, which the Bot Connector cannot
/// tell us after a host died mid-send.
/// </summary>
public static class TeamsDeliveryKeys
{
    /// <summary>The data field; never handed to flows (see <see cref="TeamsTranslator.ToStrings"/>).</summary>
    public const string DataKey = "cbDelivery";

    public static void Stamp(JsonNode? node, string key)
    {
        switch (node)
        {
            case JsonObject obj:
                if ((string?)obj["type"] is "Action.Execute")
                {
                    if (obj["data"] is not JsonObject data)
                    {
                        obj["data"] = data = [];
                    }

                    data[DataKey] = key;
                }

                foreach (var (_, child) in obj.ToList())
                {
                    Stamp(child, key);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Stamp(child, key);
                }

                break;
        }
    }

    /// <summary>The key a clicked card carried, if it was one we sent with a key.</summary>
    public static string? From(AdaptiveCardInvokeValue value) =>
        (value.Action?.Data switch
        {
            JObject o => o,
            string s when s.TrimStart().StartsWith('{') => JObject.Parse(s),
            _ => null,
        })?[DataKey] is JValue { Type: JTokenType.String } token ? token.Value<string>() : null;
}
