using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

// Load generator for the Slack Events endpoint: uniquely signed ~1 KB event_callbacks over keep-alive connections at a
// fixed concurrency (optionally a fixed rate), printing throughput, ack latency percentiles and the host's CPU per request.
// --bad sends forged, tampered, stale, future-dated, unsigned and wrong-version requests and counts any that were accepted.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
if (options is null)
{
    Console.WriteLine("""
        usage: SlackLoad --url http://127.0.0.1:5080 --secret <signing secret> [--concurrency 32] [--duration 10]
                         [--warmup 2] [--rate 0 (max)] [--pid <host pid for CPU ms/request>] [--bad] [--run <id>]
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
var endpoint = new Uri(options.Url, "/slack/events");

if (options.Bad)
{
    return await BadModeAsync();
}

// Warm-up (JIT, connection pool, SQLite page cache), not measured.
if (options.Warmup > 0)
{
    await RunAsync(TimeSpan.FromSeconds(options.Warmup), "w", measure: false);
}

var cpuBefore = Cpu.ProcessMs(options.Pid);
var result = await RunAsync(TimeSpan.FromSeconds(options.Duration), options.RunId, measure: true);
var cpuAfter = Cpu.ProcessMs(options.Pid);

var latencies = result.Latencies;
latencies.Sort();
double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
Console.WriteLine($"run {options.RunId}: concurrency {options.Concurrency}, {(options.Rate > 0 ? $"target {options.Rate}/s" : "max rate")}, {result.Elapsed.TotalSeconds:F1} s, body {result.BodyBytes} B");
Console.WriteLine($"acknowledged (2xx): {result.Ok}   non-2xx: {result.NotOk}   errors: {result.Errors}");
Console.WriteLine($"throughput: {result.Ok / result.Elapsed.TotalSeconds:F0} acks/s");
Console.WriteLine($"ack latency ms: p50 {P(0.50):F2}  p90 {P(0.90):F2}  p99 {P(0.99):F2}  max {P(1.0):F2}");
if (cpuBefore is { } before && cpuAfter is { } after && result.Ok > 0)
{
    Console.WriteLine($"host CPU: {after - before:F0} ms total, {(after - before) / (result.Ok + result.NotOk):F3} ms per request");
}

return result.NotOk + result.Errors == 0 ? 0 : 1;

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
            using var request = Events.Signed(endpoint, body, options.Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Tamper.None);
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
            using var request = Events.Signed(endpoint, body, options.Secret, now, kind);
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

internal static class Cpu
{
    /// <summary>utime + stime of a process in ms from /proc (Linux); null elsewhere or without --pid.</summary>
    public static double? ProcessMs(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat"))
        {
            return null;
        }

        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
    }
}

internal sealed record Options(Uri Url, string Secret, int Concurrency, int Duration, int Warmup, int Rate, int? Pid, bool Bad, string RunId)
{
    public static Options? Parse(string[] args)
    {
        string? Get(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        if (Get("--url") is not { } url || Get("--secret") is not { } secret)
        {
            return null;
        }

        return new Options(new Uri(url), secret, Int("--concurrency", 32), Int("--duration", 10), Int("--warmup", 2), Int("--rate", 0),
            Get("--pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null, args.Contains("--bad"),
            Get("--run") ?? DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
    }
}
