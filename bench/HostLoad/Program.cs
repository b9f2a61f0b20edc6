using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.LoadTesting;

// #19's host figures, each printed beside its target, for the Release host as its own process (real Kestrel, Teams
// /api/messages with a fake Bot Connector on 127.0.0.1, a throw-away data folder):
//
//   dotnet build -c Release src/ComplianceBot && dotnet run -c Release --project bench/HostLoad -- [--turns 10000]
//       [--free-text 2000] [--concurrency 32] [--rate 10] [--env NAME=VALUE ...] [--host path/to/ComplianceBot.dll]
//
// 1. Cold start: launch until /healthz says "Healthy" on a fresh data folder, then for a second host of the same
//    organisation (another fresh folder: the vectors are the ones shipped beside the knowledge).
// 2. Free-text turns: distinct SOC 2 questions (classification + Ask; no question repeats, so no cached vector helps)
//    on N concurrent conversations after a warm-up: latency percentiles, host CPU per turn (CPU over the window / turns).
//    Closed loop (each conversation sends again as soon as it is answered) saturates the cores, so its latency is
//    queueing; then the same conversations at a paced --rate (turns/s in total, default 10): latency from each turn's
//    scheduled time, so a slow answer delays the measurement of the ones queued behind it instead of hiding them.
// 3. Memory: mixed turns (every intent's exemplars made distinct, "help", "my tasks") until --turns in total, then the
//    host's own GET /api/admin/runtime: resident memory, managed heap, GC-committed and native (resident − committed).
// --env passes runtime settings to the host (e.g. DOTNET_GCConserveMemory=5, DOTNET_gcServer=0) to compare GC modes.
// --host runs another build, e.g. a ReadyToRun publish (scripts/publish.sh), to compare cold starts.
var turns = 10_000;
var freeText = 2_000;
var concurrency = 32;
var rate = 10.0;
var hostEnv = new Dictionary<string, string>();
string? hostDll = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--turns": turns = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--free-text": freeText = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rate": rate = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--host": hostDll = Path.GetFullPath(args[++i]); break;
        case "--env":
            var pair = args[++i].Split('=', 2);
            hostEnv[pair[0]] = pair[1];
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: [--turns N] [--free-text N] [--concurrency N] [--rate turns/s] [--env NAME=VALUE] [--host ComplianceBot.dll]");
            return 2;
    }
}

var root = ReleaseHost.RepoRoot;
const string adminKey = "hostload-admin-key-0123456789-abcdefghij";
var failures = 0;
var replies = 0L;

// The fake connector: accepts replies and answers roster lookups with the directory's active people.
var people = File.ReadAllText(Path.Combine(root, "knowledge", "program", "people.yaml"))
    .Split("- email:", StringSplitOptions.None).Skip(1)
    .Where(entry => !entry.Contains("status: left", StringComparison.Ordinal))
    .Select(entry => entry.Split('\n')[0].Trim().Trim('"')).ToList();
var connectorBuilder = WebApplication.CreateSlimBuilder();
connectorBuilder.Logging.ClearProviders();
connectorBuilder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
connectorBuilder.Services.AddHttpClient("load")
    .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
await using var connector = connectorBuilder.Build();
connector.MapPost("/v3/conversations/{conversationId}/activities/{activityId}", () =>
{
    Interlocked.Increment(ref replies);
    return Results.Json(new { id = $"1:{Guid.NewGuid():N}" });
});
connector.MapPut("/v3/conversations/{conversationId}/activities/{activityId}", () => Results.Json(new { id = $"1:{Guid.NewGuid():N}" }));
connector.MapPost("/v3/conversations/{conversationId}/activities", () => Results.Json(new { id = $"1:{Guid.NewGuid():N}" }));
connector.MapGet("/v3/conversations/{conversationId}/members/{memberId}", (string memberId) =>
{
    var index = int.Parse(memberId.Split('-')[^1], CultureInfo.InvariantCulture);
    var email = people[index % people.Count];
    return Results.Json(new { id = memberId, name = email, aadObjectId = $"aad-{index}", email, userPrincipalName = email });
});
await connector.StartAsync();
var serviceUrl = connector.Urls.First() + "/";
var clients = connector.Services.GetRequiredService<IHttpClientFactory>();
var settings = new Dictionary<string, string>(hostEnv) { ["Admin__ApiKey"] = adminKey };

// 1. Cold start, twice: this host is measured further; the second is stopped once Healthy.
ReleaseHost host;
double secondStart;
try
{
    host = await ReleaseHost.StartAsync("hostload", settings, clients.CreateClient("load"), verbose: false, hostDll);
    using var second = await ReleaseHost.StartAsync("hostload", settings, clients.CreateClient("load"), verbose: false, hostDll);
    secondStart = second.HealthyAfter.TotalSeconds;
}
catch (ReleaseHostException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

using var hostLifetime = host;
var client = clients.CreateClient("load");
client.BaseAddress = host.BaseAddress;

var serial = 0;
async Task<bool> SendAsync(int conversation, string text)
{
    var activity = new JsonObject
    {
        ["type"] = "message",
        ["id"] = $"act-{Guid.NewGuid():N}",
        ["serviceUrl"] = serviceUrl,
        ["channelId"] = "msteams",
        ["from"] = new JsonObject { ["id"] = $"29:user-{conversation}", ["aadObjectId"] = $"aad-{conversation}", ["name"] = "Load" },
        ["recipient"] = new JsonObject { ["id"] = "28:bot", ["name"] = "ComplianceBot" },
        ["conversation"] = new JsonObject { ["id"] = $"a:load-{conversation}", ["conversationType"] = "personal", ["tenantId"] = "tenant" },
        ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = "tenant" } },
        ["text"] = text,
    };
    using var response = await client.PostAsync("/api/messages", new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"));
    if (response.StatusCode != HttpStatusCode.OK && Interlocked.Increment(ref failures) == 1)
    {
        Console.Error.WriteLine($"'{text}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    return response.StatusCode == HttpStatusCode.OK;
}

// Distinct texts: the n-th use of an exemplar gets its own reference, so no question vector is ever reused.
static List<string> Exemplars(string folder, string pattern) => [.. Directory.EnumerateFiles(folder, pattern).Order(StringComparer.Ordinal)
    .SelectMany(File.ReadLines).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Replace("\\n", "\n", StringComparison.Ordinal))];
var intents = Path.Combine(root, "knowledge", "intents");
var questions = Exemplars(intents, "ask.txt").Concat(Exemplars(intents, "program.lookup.txt")).ToList();
var everything = Exemplars(intents, "*.txt");
string Distinct(List<string> source, int n) => $"{source[n % source.Count]} (ref {n / source.Count + 1})";
string Mixed(int n) => (n % 10) switch
{
    0 => "help",
    1 => "my tasks",
    2 or 3 or 4 => Distinct(questions, Interlocked.Increment(ref serial)),
    _ => Distinct(everything, n),
};

async Task<(int Count, List<double> Latencies)> RunAsync(int count, Func<int, string> text)
{
    var latencies = new ConcurrentBag<double>();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async conversation =>
    {
        for (var n = Interlocked.Increment(ref next); n < count; n = Interlocked.Increment(ref next))
        {
            var started = Stopwatch.GetTimestamp();
            await SendAsync(conversation, text(n));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }));
    return (count, [.. latencies]);
}

// Every conversation's person is linked once (roster lookup), then a warm-up lets JIT tiering settle.
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(c => SendAsync(c, "help")));
var warmup = Math.Min(500, freeText / 2);
await RunAsync(warmup, n => Distinct(questions, Interlocked.Increment(ref serial)));

// 2. Free-text turns.
var cpuBefore = host.CpuTime()!.Value;
var window = Stopwatch.StartNew();
var (asked, askLatencies) = await RunAsync(freeText, n => Distinct(questions, Interlocked.Increment(ref serial)));
var askSeconds = window.Elapsed.TotalSeconds;
var askCpu = (host.CpuTime()!.Value - cpuBefore).TotalMilliseconds / asked;

// 2b. The same conversations at a paced rate: turn n is due at start + n / rate.
var pacedCount = (int)Math.Min(freeText, rate * 30);
var pacedLatencies = new ConcurrentBag<double>();
var pacedStart = Stopwatch.GetTimestamp();
var pacedNext = -1;
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async conversation =>
{
    for (var n = Interlocked.Increment(ref pacedNext); n < pacedCount; n = Interlocked.Increment(ref pacedNext))
    {
        var due = TimeSpan.FromSeconds(n / rate);
        var wait = due - Stopwatch.GetElapsedTime(pacedStart);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        await SendAsync(conversation, Distinct(questions, Interlocked.Increment(ref serial)));
        pacedLatencies.Add((Stopwatch.GetElapsedTime(pacedStart) - due).TotalMilliseconds);
    }
}));

// 3. Mixed turns up to the total, then the host's own memory report.
var sent = concurrency + warmup + asked + pacedCount;
var (mixed, mixedLatencies) = await RunAsync(Math.Max(0, turns - sent), Mixed);
sent += mixed;
using var runtimeRequest = new HttpRequestMessage(HttpMethod.Get, "/api/admin/runtime");
runtimeRequest.Headers.Authorization = new("Bearer", adminKey);
using var runtimeResponse = await client.SendAsync(runtimeRequest);
var runtime = JsonDocument.Parse(await runtimeResponse.Content.ReadAsStringAsync()).RootElement;
host.Dispose();
await connector.StopAsync();

var ask = new Percentiles(askLatencies);
var paced = new Percentiles([.. pacedLatencies]);
var all = new Percentiles(mixedLatencies);
static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:F0} MB");
static string Verdict(bool met) => met ? "met" : "NOT met";
long Bytes(string name) => runtime.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"machine: {Environment.ProcessorCount} cores, load average {load} at the end; host settings: {(hostEnv.Count == 0 ? "defaults" : string.Join(' ', hostEnv.Select(e => $"{e.Key}={e.Value}")))}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"figure",-58} {"measured",14} {"target",10}"));
void Row(string figure, string measured, string target, bool met) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{figure,-58} {measured,14} {target,10}  {Verdict(met)}"));
Row("cold start to Healthy, fresh data folder (s)", $"{host.HealthyAfter.TotalSeconds:F1}", "≤ 5", host.HealthyAfter.TotalSeconds <= 5);
Row("cold start to Healthy, second host (s)", $"{secondStart:F1}", "≤ 5", secondStart <= 5);
Row($"free-text turn host CPU, mean of {asked} (ms)", $"{askCpu:F2}", "≤ 3", askCpu <= 3);
Row($"free-text latency p50, {concurrency} conversations closed loop (ms)", $"{ask.At(50):F1}", "", true);
Row($"free-text latency p99, {concurrency} conversations closed loop (ms)", $"{ask.At(99):F1}", "", true);
Row(string.Create(CultureInfo.InvariantCulture, $"free-text latency p50, {concurrency} conversations at {rate:0.#}/s (ms)"), $"{paced.At(50):F1}", "", true);
Row(string.Create(CultureInfo.InvariantCulture, $"free-text latency p99, {concurrency} conversations at {rate:0.#}/s (ms)"), $"{paced.At(99):F1}", "≤ 15", paced.At(99) <= 15);
Row($"resident memory after {sent} turns", Mb(Bytes("residentBytes")), "≤ 300 MB", Bytes("residentBytes") <= 300L * 1024 * 1024);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  of which managed heap {Mb(Bytes("managedHeapBytes"))} (GC committed {Mb(Bytes("gcCommittedBytes"))}), native {Mb(Bytes("nativeBytes"))}; anonymous {Mb(Bytes("residentAnonymousBytes"))}, file-backed {Mb(Bytes("residentFileBytes"))}; GC {runtime.GetProperty("gcMode").GetString()}, {runtime.GetProperty("gen2Collections").GetInt32()} gen2 collections"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"free-text throughput {asked / askSeconds:F0} turns/s; mixed turns latency p50 {all.At(50):F1} ms p99 {all.At(99):F1} ms; replies at the connector {replies}; failures {failures}"));
return failures == 0 ? 0 : 2;
