using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Tests.Channels.Slack;
using ComplianceBot.Tests.Channels.Teams;
using ComplianceBot.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ComplianceBot.Tests.Security;

/// <summary>
/// Keeps the fault review closed: a bounded, seeded set of malformed bodies (truncated JSON, wrong types, huge strings,
/// deep nesting, invalid UTF-8, lone surrogates, NUL bytes, duplicate keys) goes to every endpoint — signed or keyed
/// where the endpoint needs it, so the parser behind the check is reached — and no answer may be a 5xx and nothing may
/// be logged as an unhandled exception. Everything stays on 127.0.0.1: Slack and the Bot Connector are the local fakes.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const int Seed = 20261127;
    private const int CasesPerKind = 3;

    private readonly FuzzHost _host = new();
    private readonly FakeSlack _slack = new();

    public Task InitializeAsync()
    {
        _host.Settings["Slack:SigningSecret"] = SlackBot.SigningSecret;
        _host.Settings["Slack:BotToken"] = FakeSlack.BotToken;
        _host.Settings["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString();
        _host.Settings["Slack:ProcessInbox"] = "false";
        _host.Settings["Changes:ApiKey"] = "fuzz-changes-key";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _slack.DisposeAsync();
    }

    public void Dispose() => _host.Dispose();

    private enum Kind
    {
        Truncated,
        WrongType,
        HugeString,
        DeepNesting,
        InvalidUtf8,
        LoneSurrogate,
        NulByte,
        DuplicateKey,
    }

    [Fact]
    public async Task MalformedBodiesToEveryEndpointNeverCauseAServerErrorOrAnUnhandledException()
    {
        var random = new Random(Seed);
        var client = _host.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(20);
        var serviceUrl = _host.Connector.ServiceUrl;
        var targets = Targets(serviceUrl);
        var failures = new List<string>();
        var requests = 0;
        var watch = Stopwatch.StartNew();

        foreach (var target in targets)
        {
            foreach (var kind in Enum.GetValues<Kind>())
            {
                for (var i = 0; i < CasesPerKind; i++)
                {
                    var body = Mutate(target.Seed, kind, random);
                    using var request = target.Build(body, _host.Clock.GetUtcNow().ToUnixTimeSeconds() + requests % 200);
                    requests++;
                    try
                    {
                        using var response = await client.SendAsync(request);
                        // 501 is the Bot Framework's answer to an invoke name no handler knows (the fuzzed "name"): its contract, not a fault.
                        if ((int)response.StatusCode >= 500 && !(target.Name == "teams invoke" && response.StatusCode == System.Net.HttpStatusCode.NotImplemented))
                        {
                            failures.Add($"{target.Name} {kind} #{i}: HTTP {(int)response.StatusCode} for {Preview(body)}");
                        }
                    }
                    catch (TaskCanceledException)
                    {
                        // A request the host cannot answer in time is as much a finding as a 500.
                        failures.Add($"{target.Name} {kind} #{i}: no answer within {client.Timeout.TotalSeconds} s for {Preview(body)}");
                    }
                }
            }
        }

        // Stored Slack events are processed here, so their failures (if any) land in the log before it is checked.
        var processor = _host.Services.GetRequiredService<SlackInboxProcessor>();
        while (await processor.RunOnceAsync(CancellationToken.None) > 0)
        {
            _host.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        watch.Stop();
        output.WriteLine($"{requests} requests to {targets.Count} endpoints in {watch.Elapsed.TotalSeconds:F1} s (seed {Seed})");
        // Unhandled exceptions are what the framework's exception handlers log (a caught, apologised-for turn failure is not).
        failures.AddRange(_host.Logs.Entries.Where(e => e.Level >= LogLevel.Error && (e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || e.Message.Contains("unhandled", StringComparison.OrdinalIgnoreCase))).Select(e => $"logged {e.Level} in {e.Category}: {e.Message} {e.Exception?.GetType().Name}: {e.Exception?.Message}"));
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    private sealed record Target(string Name, byte[] Seed, Func<byte[], long, HttpRequestMessage> Build);

    private static List<Target> Targets(string serviceUrl)
    {
        static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
        var slackEvent = Json(JsonNode.Parse(SlackBot.EventCallback("EvFuzz", SlackBot.DirectMessage(SlackBot.DanaUserId, "DFUZZ", "my tasks")))!);
        var interaction = Json(SlackPayloads.BlockAction(SlackBot.DanaUserId, "DFUZZ", "1796392800.000100", "tasks.details", "{\"task\":\"1\"}"));
        var view = SlackRenderer.RenderModal(FormTestFlow.Form(), null, SlackResponder.ContextFor(FormTestFlow.Form(), "DFUZZ", "1796392800.000200"));
        var submission = Json(SlackPayloads.ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = SlackPayloads.Selected("performed"), ["notes"] = SlackPayloads.Typed("ok") }));
        var command = Encoding.UTF8.GetBytes($"team_id={FakeSlack.TeamId}&user_id={SlackBot.DanaUserId}&channel_id=DFUZZ&command=%2Fcompliance&text=my+tasks&trigger_id=t1");
        var activity = Json(TeamsActivities.Message(serviceUrl, "help", "29:fuzz", "aad-fuzz"));
        var invoke = Json(TeamsActivities.CardAction(serviceUrl, "tasks.list", new JsonObject { ["page"] = "1" }, "29:fuzz", "aad-fuzz", "act-1"));
        var chat = Json(new JsonObject { ["user"] = "dana.reyes@acme.example", ["action"] = new JsonObject { ["id"] = "tasks.list", ["data"] = new JsonObject { ["page"] = "1" } } });
        var chatText = Json(new JsonObject { ["user"] = "dana.reyes@acme.example", ["text"] = "what does CC6.1 require?" });
        var ask = Json(new JsonObject { ["question"] = "Is Snowflake in scope?" });
        var change = Json(JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(ChangeApprovals.ChangeClient.Change(ChangeApprovals.ChangeClient.Grace)))!);
        var delegation = Json(new JsonObject { ["person"] = "dana.reyes@acme.example", ["delegate"] = "julia.novak@acme.example", ["until"] = "2027-01-31" });
        var delegationEnd = Json(new JsonObject { ["until"] = "2027-01-15" });
        var csv = "account_id,display_name,email,role,last_login\nu1,Dana Reyes,dana.reyes@acme.example,admin,2026-10-01\n"u8.ToArray();

        return
        [
            new("slack events", slackEvent, (b, ts) => Signed("/slack/events", b, "application/json", ts)),
            new("slack block_actions", interaction, (b, ts) => Signed("/slack/interactions", Form("payload", b), "application/x-www-form-urlencoded", ts)),
            new("slack view_submission", submission, (b, ts) => Signed("/slack/interactions", Form("payload", b), "application/x-www-form-urlencoded", ts)),
            new("slack commands", command, (b, ts) => Signed("/slack/commands", b, "application/x-www-form-urlencoded", ts)),
            new("teams message", activity, (b, _) => Plain(HttpMethod.Post, "/api/messages", b, "application/json")),
            new("teams invoke", invoke, (b, _) => Plain(HttpMethod.Post, "/api/messages", b, "application/json")),
            new("web chat action", chat, (b, _) => Plain(HttpMethod.Post, "/api/chat", b, "application/json")),
            new("web chat text", chatText, (b, _) => Plain(HttpMethod.Post, "/api/chat", b, "application/json")),
            new("web chat upload", csv, (b, _) => Upload(b)),
            new("web chat inbox", Encoding.UTF8.GetBytes("dana.reyes@acme.example"), (b, _) => Plain(HttpMethod.Get, "/api/chat/inbox?user=" + Uri.EscapeDataString(Lossy(b)) + "&after=" + Uri.EscapeDataString(Lossy(b)), null, null)),
            new("ask", ask, (b, _) => Plain(HttpMethod.Post, "/api/ask", b, "application/json")),
            new("changes create", change, (b, _) => Keyed(HttpMethod.Post, "/api/changes", b, "application/json", "fuzz-changes-key")),
            new("changes cancel", change, (b, _) => Keyed(HttpMethod.Post, "/api/changes/1/cancel", b, "application/json", "fuzz-changes-key")),
            new("delegations add", delegation, (b, _) => Keyed(HttpMethod.Post, "/api/admin/delegations", b, "application/json", BotApplication.AdminKey)),
            new("delegations end", delegationEnd, (b, _) => Keyed(HttpMethod.Patch, "/api/admin/delegations/1", b, "application/json", BotApplication.AdminKey)),
            new("access review import", csv, (b, _) => Keyed(HttpMethod.Post, "/api/admin/access-reviews?system=GitHub&period=2026-Q4", b, "text/csv", BotApplication.AdminKey)),
        ];
    }

    private static byte[] Mutate(byte[] seed, Kind kind, Random random)
    {
        var text = Encoding.UTF8.GetString(seed);
        switch (kind)
        {
            case Kind.Truncated:
                return seed[..random.Next(0, seed.Length)];
            case Kind.WrongType:
                string[] values = ["null", "1", "-1e309", "[]", "{}", "true", "\"\"", "[[1],{\"a\":null}]", "1.5", "\"x\""];
                return Encoding.UTF8.GetBytes(ReplaceValue(text, values[random.Next(values.Length)], random));
            case Kind.HugeString:
                return Encoding.UTF8.GetBytes(ReplaceValue(text, "\"" + new string('A', random.Next(40_000, 120_000)) + "\"", random));
            case Kind.DeepNesting:
                var depth = random.Next(70, 2_000);
                var nested = random.Next(2) == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                return Encoding.UTF8.GetBytes(ReplaceValue(text, nested, random));
            case Kind.InvalidUtf8:
                byte[][] invalid = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF]];
                var at = random.Next(0, seed.Length + 1);
                return [.. seed[..at], .. invalid[random.Next(invalid.Length)], .. seed[at..]];
            case Kind.LoneSurrogate:
                string[] surrogates = ["\"\\ud800\"", "\"\\udfff\"", "\"a\\ud83d\"", "\"\\ud800\\u0041\""];
                return Encoding.UTF8.GetBytes(ReplaceValue(text, surrogates[random.Next(surrogates.Length)], random));
            case Kind.NulByte:
                return random.Next(2) == 0
                    ? Encoding.UTF8.GetBytes(ReplaceValue(text, "\"a\\u0000b\"", random))
                    : [.. seed[..(seed.Length / 2)], 0, .. seed[(seed.Length / 2)..]];
            default:
                var brace = text.IndexOf('{', StringComparison.Ordinal);
                if (brace < 0)
                {
                    return Encoding.UTF8.GetBytes(text + "&" + text);
                }

                var first = System.Text.RegularExpressions.Regex.Match(text[(brace + 1)..], "^\"([^\"]+)\"");
                var key = first.Success ? first.Groups[1].Value : "type";
                return Encoding.UTF8.GetBytes(text[..(brace + 1)] + $"\"{key}\":{(random.Next(2) == 0 ? "\"invoke\"" : "7")}," + text[(brace + 1)..]);
        }
    }

    /// <summary>Replaces one JSON string or number value (or, in a form, one field value) at a seeded position.</summary>
    private static string ReplaceValue(string text, string replacement, Random random)
    {
        var matches = System.Text.RegularExpressions.Regex.Matches(text, "(?<=:)\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?|true|false|null)|(?<==)[^&]*");
        if (matches.Count == 0)
        {
            return replacement;
        }

        var match = matches[random.Next(matches.Count)];
        var value = text.Contains("\":", StringComparison.Ordinal) ? replacement : Uri.EscapeDataString(replacement);
        return text[..match.Index] + value + text[(match.Index + match.Length)..];
    }

    private static byte[] Form(string field, byte[] value) => [.. Encoding.ASCII.GetBytes(field + "="), .. Encoding.ASCII.GetBytes(PercentEncode(value))];

    private static string PercentEncode(byte[] value) => string.Concat(value.Select(b => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' ? ((char)b).ToString() : "%" + b.ToString("X2", CultureInfo.InvariantCulture)));

    private static string Lossy(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static HttpRequestMessage Signed(string path, byte[] body, string contentType, long timestamp)
    {
        var request = Plain(HttpMethod.Post, path, body, contentType);
        var ts = timestamp.ToString(CultureInfo.InvariantCulture);
        request.Headers.Add(SlackSignature.TimestampHeader, ts);
        request.Headers.Add(SlackSignature.SignatureHeader, SlackSignature.Sign(SlackBot.SigningSecret, ts, body));
        return request;
    }

    private static HttpRequestMessage Keyed(HttpMethod method, string path, byte[] body, string contentType, string key)
    {
        var request = Plain(method, path, body, contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private static HttpRequestMessage Plain(HttpMethod method, string path, byte[]? body, string? contentType)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
        }

        return request;
    }

    private static HttpRequestMessage Upload(byte[] file)
    {
        var form = new MultipartFormDataContent { { new StringContent("dana.reyes@acme.example"), "user" }, { new ByteArrayContent(file), "file", "evidence.csv" } };
        return new HttpRequestMessage(HttpMethod.Post, "/api/chat/files") { Content = form };
    }

    private static string Preview(byte[] body) => body.Length <= 160 ? Encoding.UTF8.GetString(body) : Encoding.UTF8.GetString(body[..160]) + $"… ({body.Length} bytes)";

    /// <summary>Teams anonymous (Development, the fake Bot Connector), Slack against the fake, and the log captured at Warning and above.</summary>
    private sealed class FuzzHost : TeamsApplication;
}
