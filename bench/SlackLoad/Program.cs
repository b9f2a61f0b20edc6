using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ComplianceBot.LoadTesting;

// Load generator for the Slack Events endpoint: uniquely signed ~1 KB event_callbacks over keep-alive connections at a
// fixed concurrency (optionally a fixed rate), printing throughput, ack latency percentiles and the host's CPU per request.
// --bad sends forged, tampered, stale, future-dated, unsigned and wrong-version requests and counts any that were accepted.
//
// It starts the Release host itself (like TeamsLoad) with Slack on: a signing secret made up for this run, a bot token,
// and the Slack Web API pointed at a fake in this process, so nothing the host does reaches slack.com. --url measures a
// host started by hand instead (its signing secret in --secret, its pid in --pid for the CPU line).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
if (options is null)
{
    Console.WriteLine("""
        usage: SlackLoad [--concurrency 32] [--duration 10] [--warmup 2] [--rate 0 (max)] [--bad] [--run <id>] [--verbose]
                         [--url http://127.0.0.1:5080 --secret <signing secret> [--pid <host pid>]]
        Without --url it starts the Release host (build it first: dotnet build -c Release src/ComplianceBot).
        """);
    return 2;
}

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Concurrency,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseProxy = false,
    AutomaticDecompression = DecompressionMethods.None,
};
using var invoker = new HttpMessageInvoker(handler);

await using var slackApi = options.Url is null ? await FakeSlackApi.StartAsync() : null;
var secret = options.Secret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
ReleaseHost host;
try
{
    host = slackApi is null
        ? ReleaseHost.Attach(options.Url!, options.Pid)
        : await ReleaseHost.StartAsync("slackload", new Dictionary<string, string>
        {
            ["Slack__SigningSecret"] = secret,
            ["Slack__BotToken"] = "xoxb-slackload",
            ["Slack__ApiBaseUrl"] = slackApi.BaseUrl,
            // No Socket Mode, even if the developer's user secrets have an app token: it would dial Slack.
            ["Slack__AppToken"] = "",
        }, invoker, options.Verbose);
}
catch (ReleaseHostException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

using var hostLifetime = host;
var endpoint = new Uri(host.BaseAddress, "/slack/events");
var exitCode = options.Bad ? await BadModeAsync() : await LoadAsync();
host.Dispose();
if (slackApi is not null)
{
    Console.WriteLine($"fake Slack Web API: {slackApi.Describe()}");
}

return exitCode;

async Task<int> LoadAsync()
{
    // Warm-up (JIT, connection pool, SQLite page cache), not measured.
    if (options.Warmup > 0)
    {
        await RunAsync(TimeSpan.FromSeconds(options.Warmup), "w", measure: false);
    }

    var cpuBefore = host.CpuTime();
    var result = await RunAsync(TimeSpan.FromSeconds(options.Duration), options.RunId, measure: true);
    var cpuAfter = host.CpuTime();

    var latencies = new Percentiles(result.Latencies);
    Console.WriteLine($"run {options.RunId}: concurrency {options.Concurrency}, {(options.Rate > 0 ? $"target {options.Rate}/s" : "max rate")}, {result.Elapsed.TotalSeconds:F1} s, body {result.BodyBytes} B");
    Console.WriteLine($"acknowledged (2xx): {result.Ok}   non-2xx: {result.NotOk}   errors: {result.Errors}");
    Console.WriteLine($"throughput: {result.Ok / result.Elapsed.TotalSeconds:F0} acks/s");
    Console.WriteLine($"ack latency ms: p50 {latencies.At(50):F2}  p90 {latencies.At(90):F2}  p99 {latencies.At(99):F2}  max {latencies.Max:F2}");
    if (cpuBefore is { } before && cpuAfter is { } after && result.Ok > 0)
    {
        var ms = (after - before).TotalMilliseconds;
        var perRequest = ms / (result.Ok + result.NotOk);
        Console.WriteLine($"host CPU: {ms:F0} ms total, {perRequest:F3} ms per request");
        Console.WriteLine($"target (#19): ≤ 0.080 ms host CPU per acknowledged request; measured {perRequest:F3} ms: {(perRequest <= 0.08 ? "met" : "NOT met")}");
    }

    return result.NotOk + result.Errors == 0 ? 0 : 1;
}

async Task<RunResult> RunAsync(TimeSpan duration, string runId, bool measure)
{
    var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var start = Stopwatch.GetTimestamp();
    long ticket = -1, ok = 0, notOk = 0, errors = 0;
    var perWorker = new List<double>[options.Concurrency];
    var bodyBytes = 0;
    var workers = Enumerable.Range(0, options.Concurrency).Select(w => Task.Run(async () =>
    {
        var mine = perWorker[w] = new List<double>(100_000);
        while (true)
        {
            var n = Interlocked.Increment(ref ticket);
            if (options.Rate > 0)
            {
                // Open-loop pacing: request n is due at start + n/rate, whatever happened to earlier ones.
                var due = start + (long)(n * Stopwatch.Frequency / (double)options.Rate);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }

            if (Stopwatch.GetTimestamp() >= stopAt)
            {
                break;
            }

            var body = Events.Body($"Ev{runId}x{n}", n);
            bodyBytes = body.Length;
            using var request = Events.Signed(endpoint, body, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Tamper.None);
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await invoker.SendAsync(request, CancellationToken.None);
                var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref ok);
                    if (measure)
                    {
                        mine.Add(ms);
                    }
                }
                else
                {
                    Interlocked.Increment(ref notOk);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    })).ToArray();
    await Task.WhenAll(workers);
    var elapsed = Stopwatch.GetElapsedTime(start);
    return new RunResult(elapsed, ok, notOk, errors, [.. perWorker.SelectMany(l => l)], bodyBytes);
}

async Task<int> BadModeAsync()
{
    const int perKind = 200;
    var accepted = 0;
    foreach (var kind in Enum.GetValues<Tamper>().Where(t => t != Tamper.None))
    {
        var acceptedOfKind = 0;
        var statuses = new Dictionary<int, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, perKind), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, ct) =>
        {
            var body = Events.Body($"Bad{options.RunId}{kind}{i}", i);
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            using var request = Events.Signed(endpoint, body, secret, now, kind);
            using var response = await invoker.SendAsync(request, ct);
            lock (statuses)
            {
                statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                if (response.IsSuccessStatusCode)
                {
                    acceptedOfKind++;
                }
            }
        });
        accepted += acceptedOfKind;
        Console.WriteLine($"{kind,-14} sent {perKind}  accepted {acceptedOfKind}  statuses {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
    }

    Console.WriteLine($"bad requests accepted: {accepted} (must be 0)");
    return accepted == 0 ? 0 : 1;
}

internal enum Tamper
{
    None,
    Forged,
    Tampered,
    Stale301s,
    Future10min,
    Unsigned,
    WrongVersion,
}

internal sealed record RunResult(TimeSpan Elapsed, long Ok, long NotOk, long Errors, List<double> Latencies, int BodyBytes);

internal static class Events
{
    private static readonly string Padding = new('x', 560);

    /// <summary>A realistic ~1 KB event_callback: a message in a public channel (acknowledged, stored, then skipped by the processor).</summary>
    public static byte[] Body(string eventId, long n) => Encoding.UTF8.GetBytes(
        "{\"token\":\"XXYYZZ\",\"team_id\":\"T0LOAD\",\"context_team_id\":\"T0LOAD\",\"api_app_id\":\"A0LOAD\"," +
        "\"event\":{\"type\":\"message\",\"channel\":\"C0LOAD\",\"channel_type\":\"channel\",\"user\":\"U0LOAD" + (n % 97).ToString(CultureInfo.InvariantCulture) +
        "\",\"text\":\"load test message " + n.ToString(CultureInfo.InvariantCulture) + " " + Padding + "\",\"ts\":\"1796392800." + (n % 1_000_000).ToString("D6", CultureInfo.InvariantCulture) +
        "\",\"event_ts\":\"1796392800.000100\",\"blocks\":[]},\"type\":\"event_callback\",\"event_id\":\"" + eventId +
        "\",\"event_time\":1796392800,\"authorizations\":[{\"enterprise_id\":null,\"team_id\":\"T0LOAD\",\"user_id\":\"U0BOT\",\"is_bot\":true,\"is_enterprise_install\":false}]," +
        "\"is_ext_shared_channel\":false,\"event_context\":\"4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMExPQUQiLCJhaWQiOiJBMExPQUQiLCJjaWQiOiJDMExPQUQifQ\"}");

    public static HttpRequestMessage Signed(Uri endpoint, byte[] body, string secret, long now, Tamper tamper)
    {
        var ts = tamper switch
        {
            Tamper.Stale301s => now - 301,
            Tamper.Future10min => now + 600,
            _ => now,
        };
        var timestamp = ts.ToString(CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:").Concat(body).ToArray()));
        var sent = body;
        switch (tamper)
        {
            case Tamper.Forged:
                signature = "v0=" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                break;
            case Tamper.Tampered:
                sent = (byte[])body.Clone();
                sent[^3] = (byte)'0'; // flip a byte after signing
                break;
            case Tamper.WrongVersion:
                signature = "v1=" + signature[3..];
                break;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(sent), Version = HttpVersion.Version11 };
        request.Content.Headers.ContentType = new("application/json");
        if (tamper != Tamper.Unsigned)
        {
            request.Headers.TryAddWithoutValidation("X-Slack-Request-Timestamp", timestamp);
            request.Headers.TryAddWithoutValidation("X-Slack-Signature", signature);
        }

        return request;
    }
}

internal sealed record Options(Uri? Url, string? Secret, int Concurrency, int Duration, int Warmup, int Rate, int? Pid, bool Bad, bool Verbose, string RunId)
{
    public static Options? Parse(string[] args)
    {
        string? Get(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var url = Get("--url");
        var secret = Get("--secret");
        var pid = Get("--pid");
        // A host started by hand needs its signing secret; ours gets one made up for the run, and its pid is known.
        if ((url is null) != (secret is null) || (url is null && pid is not null))
        {
            return null;
        }

        return new Options(url is null ? null : new Uri(url), secret, Int("--concurrency", 32), Int("--duration", 10), Int("--warmup", 2), Int("--rate", 0),
            pid is null ? null : int.Parse(pid, CultureInfo.InvariantCulture), args.Contains("--bad"), args.Contains("--verbose"),
            Get("--run") ?? DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// The Slack Web API the started host talks to, on 127.0.0.1: answers the calls a host makes on its own (reminder DMs:
/// users.lookupByEmail, conversations.open, chat.postMessage; auth.test, conversations.history) like Slack does, any
/// other method with ok, and counts them, so the run shows what the host would have sent to slack.com.
/// </summary>
internal sealed class FakeSlackApi(WebApplication app) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private long _ts;

    public string BaseUrl => app.Urls.First() + "/api/";

    public static async Task<FakeSlackApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeSlackApi(app);
        app.MapPost("/api/{method}", fake.AnswerAsync);
        await app.StartAsync();
        return fake;
    }

    public string Describe() => _calls.IsEmpty
        ? "0 calls"
        : $"{_calls.Values.Sum()} calls ({string.Join(", ", _calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}×{c.Value}"))})";

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<IResult> AnswerAsync(string method, HttpRequest request)
    {
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var json = request.HasJsonContentType() ? await JsonNode.ParseAsync(request.Body) : null;
        JsonObject answer = method switch
        {
            "auth.test" => new() { ["team_id"] = "T0LOAD", ["user_id"] = "U0BOT", ["bot_id"] = "B0BOT" },
            "users.lookupByEmail" when form?["email"].ToString() is { Length: > 0 } email => new()
            {
                ["user"] = new JsonObject
                {
                    ["id"] = "U" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(email)))[..10],
                    ["team_id"] = "T0LOAD",
                    ["is_bot"] = false,
                    ["profile"] = new JsonObject { ["email"] = email, ["real_name"] = email },
                },
            },
            "conversations.open" => new() { ["channel"] = new JsonObject { ["id"] = "D" + json?["users"]?.GetValue<string>() } },
            "chat.postMessage" => new()
            {
                ["channel"] = json?["channel"]?.GetValue<string>(),
                ["ts"] = $"1796392800.{Interlocked.Increment(ref _ts):D6}",
            },
            "conversations.history" => new() { ["messages"] = new JsonArray() },
            _ => new(),
        };
        answer["ok"] = true;
        return Results.Text(answer.ToJsonString(), "application/json");
    }
}
