using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Tests.Fakes;
using Xunit.Abstractions;

namespace ComplianceBot.Tests.Channels;

/// <summary>
/// The largest payload per flow in each channel: every Slack message, modal, App Home and Adaptive Card the other tests
/// made the host send (the flow tests drive every flow in Slack and Teams; <see cref="PayloadCapture"/> records them at
/// the fakes), grouped by the flow their buttons belong to, each checked against the limit that applies to it. The table
/// is written to payload-sizes.md beside the test assembly (README, "Channels", shows how to regenerate it).
/// </summary>
[Collection(nameof(PlatformSdkCollection))]
public sealed partial class PayloadSizeReportTests(ITestOutputHelper output)
{
    public const string ReportFile = "payload-sizes.md";

    [Fact]
    public void EveryCapturedPayloadIsWithinItsChannelsLimitAndTheLargestPerFlowIsReported()
    {
        var measured = PayloadCapture.All.Select(p => Measure(Flow(p.Json), p.Kind, p.Json))
            .Concat(PlatformSdkTests.HostileCorpusPayloads().Select(p => Measure(HostileFlow, p.Kind, p.Json)))
            .ToList();

        var table = Table(measured);
        output.WriteLine(table);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, ReportFile), table);

        // The hostile corpus alone has every kind at the longest field lengths, so this never passes on nothing.
        Assert.Contains(measured, m => m.Flow == HostileFlow && m.Kind == PayloadCapture.TeamsCard);
        Assert.All(measured, m => Assert.True(m.Value <= m.Limit && m.Blocks <= m.MaxBlocks,
            $"{m.Flow}, {m.Kind}: {m.Value} {m.Measure} (limit {m.Limit}), {m.Blocks} blocks (limit {m.MaxBlocks})"));
    }

    [Theory]
    [InlineData("""{"body":[{"type":"ActionSet","actions":[{"verb":"access.keep"},{"verb":"access.revoke"},{"verb":"tasks.details"}]}]}""", "Access review")]
    [InlineData("""[{"type":"actions","elements":[{"action_id":"attest.start#1"},{"action_id":"tasks.details#2"}]}]""", "My tasks")]
    [InlineData("""{"type":"modal","private_metadata":"{\"a\":\"changes.reject\"}"}""", "Change approval")]
    [InlineData("""[{"type":"section","text":{"type":"mrkdwn","text":"see access.keep in the docs"}}]""", NoButtons)]
    public void APayloadBelongsToTheFlowMostOfItsButtonsBelongTo(string json, string flow) => Assert.Equal(flow, Flow(json));

    private const string HostileFlow = "(hostile replies at the APIs' longest fields)";
    private const string NoButtons = "Answers and notices (no buttons)";

    /// <summary>Flow action ids start with the flow's prefix (e.g. access.keep); on a tie the first in this order wins.</summary>
    private static readonly (string Prefix, string Flow)[] Flows =
    [
        ("reminders", "Reminders"), ("access", "Access review"), ("changes", "Change approval"), ("evidence", "Evidence upload"),
        ("tasks", "My tasks"), ("attest", "Attest"), ("ask", "Ask"), ("understand", "Clarifying questions"), ("help", "Help"),
    ];

    public static string Flow(string json)
    {
        var prefixes = new List<string>();
        Collect(JsonNode.Parse(json), null, prefixes);
        var counts = prefixes.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        return Flows.Where(f => counts.ContainsKey(f.Prefix)).OrderByDescending(f => counts[f.Prefix]).Select(f => f.Flow).FirstOrDefault() ?? NoButtons;
    }

    // Only the places an action id travels: Teams verbs, Slack action_ids, and the form's submit action in private_metadata.
    private static void Collect(JsonNode? node, string? key, List<string> prefixes)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    Collect(v, k, prefixes);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Collect(v, key, prefixes);
                }

                break;
            case JsonValue v when key is "verb" or "action_id" && v.TryGetValue<string>(out var id) && ActionId().Match(id) is { Success: true } m:
                prefixes.Add(m.Groups[1].Value);
                break;
            case JsonValue v when key is "private_metadata" && v.TryGetValue<string>(out var metadata):
                prefixes.AddRange(ActionId().Matches(metadata).Select(m => m.Groups[1].Value));
                break;
        }
    }

    [GeneratedRegex(@"\b([a-z]+)\.[a-z][a-z-]*")]
    private static partial Regex ActionId();

    private sealed record Measured(string Flow, string Kind, int Chars, int Bytes, string Measure, int Value, int Limit, int Blocks, int MaxBlocks);

    /// <summary>
    /// What each channel limits: Teams the whole activity (40 KB; our card budget is <see cref="TeamsRenderer.MaxCardChars"/>
    /// characters of card JSON), Slack a message's block text (msg_blocks_too_long; budget <see cref="SlackRenderer.MaxMessageText"/>)
    /// and blocks per message (50) or per view (100).
    /// </summary>
    private static Measured Measure(string flow, string kind, string json)
    {
        var node = JsonNode.Parse(json);
        var wire = node is null ? json : kind == PayloadCapture.TeamsCard ? TeamsRenderer.ToJson(node) : node.ToJsonString();
        var bytes = Encoding.UTF8.GetByteCount(wire);
        return kind switch
        {
            PayloadCapture.TeamsCard => new(flow, kind, wire.Length, bytes, "card JSON chars", wire.Length, TeamsRenderer.MaxCardChars, 0, 0),
            PayloadCapture.SlackBlocks => new(flow, kind, wire.Length, bytes, "block text chars", SlackRenderer.TextLength(node), SlackRenderer.MaxMessageText,
                node?.AsArray().Count ?? 0, SlackRenderer.MaxMessageBlocks),
            _ => new(flow, kind, wire.Length, bytes, "block text chars", SlackRenderer.TextLength(node?["blocks"]), int.MaxValue,
                node?["blocks"]?.AsArray().Count ?? 0, SlackRenderer.MaxModalBlocks),
        };
    }

    private static string Table(List<Measured> measured)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| flow | channel | payloads | largest JSON (chars / UTF-8 bytes) | limited by | largest / limit | most blocks / limit |");
        sb.AppendLine("|---|---|---:|---:|---|---:|---:|");
        foreach (var group in measured.GroupBy(m => (m.Flow, m.Kind)).OrderBy(g => g.Key.Flow == HostileFlow).ThenBy(g => g.Key.Flow, StringComparer.Ordinal).ThenBy(g => g.Key.Kind, StringComparer.Ordinal))
        {
            var largest = group.MaxBy(m => m.Chars)!;
            var worst = group.MaxBy(m => m.Value)!;
            var blocks = group.Max(m => m.Blocks);
            var limit = worst.Limit == int.MaxValue ? "no documented limit" : N(worst.Limit);
            sb.Append(CultureInfo.InvariantCulture, $"| {group.Key.Flow} | {Channel(group.Key.Kind)} | {group.Count()} | {N(largest.Chars)} / {N(largest.Bytes)} | {worst.Measure} | {N(worst.Value)} / {limit} | ")
              .AppendLine(group.Key.Kind == PayloadCapture.TeamsCard ? "— |" : $"{blocks} / {worst.MaxBlocks} |");
        }

        return sb.ToString();
    }

    private static string Channel(string kind) => kind switch
    {
        PayloadCapture.TeamsCard => "Teams card",
        PayloadCapture.SlackBlocks => "Slack message",
        PayloadCapture.SlackModal => "Slack modal",
        PayloadCapture.SlackHome => "Slack App Home",
        _ => kind,
    };

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
