using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ComplianceBot.LoadTesting;

// Teams throughput and latency through POST /api/messages with a fake Bot Connector on 127.0.0.1.
//
//   dotnet build -c Release src/ComplianceBot && dotnet run -c Release --project bench/TeamsLoad -- [connections] [seconds] [warmupSeconds]
//
// The host runs in Development without MicrosoftAppId (anonymous: no token validation cost). Each "help" message
// resolves the person, loads the conversation state from SQLite, runs the help flow and sends an Adaptive Card to the
// fake connector before the HTTP response returns. Measuring starts once the host reports Healthy and after the
// warm-up (JIT tiering and dynamic PGO settle over the first seconds). Reported: completed activities/s, request
// latency percentiles, host CPU per activity, and the time from sending the request to the reply arriving at the connector.
var connections = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var warmup = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 15;
var verbose = Environment.GetEnvironmentVariable("TEAMSLOAD_VERBOSE") == "1";
var root = ReleaseHost.RepoRoot;

var clock = Stopwatch.StartNew();
var sentAt = new ConcurrentDictionary<string, long>();
var arrival = new ConcurrentBag<double>();
var replies = 0L;
var cardReplies = 0L;
var otherShown = 0;
var failures = 0;

// The fake connector: answers replies and the roster lookups, records when each reply arrived.
// Load users are the directory's active people (someone who has left gets a one-line refusal, not the help card).
var people = File.ReadAllText(Path.Combine(root, "knowledge", "program", "people.yaml"))
    .Split("- email:", StringSplitOptions.None).Skip(1)
    .Where(entry => !entry.Contains("status: left", StringComparison.Ordinal))
    .Select(entry => entry.Split('\n')[0].Trim().Trim('"')).ToList();
var connectorBuilder = WebApplication.CreateSlimBuilder();
connectorBuilder.Logging.ClearProviders();
connectorBuilder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
connectorBuilder.Services.AddHttpClient("load")
    .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
await using var connector = connectorBuilder.Build();
connector.MapPost("/v3/conversations/{conversationId}/activities/{activityId}", async (string activityId, HttpRequest request) =>
{
    if (sentAt.TryRemove(activityId, out var start))
    {
        arrival.Add((clock.ElapsedTicks - start) * 1000.0 / Stopwatch.Frequency);
    }

    // Every reply must be the help card, so the count below is of real answers, not of any POST (the first other one is shown).
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync();
    if (body.Contains("application/vnd.microsoft.card.adaptive", StringComparison.Ordinal) && body.Contains("Action.Execute", StringComparison.Ordinal))
    {
        Interlocked.Increment(ref cardReplies);
    }
    else if (Interlocked.Increment(ref otherShown) == 1)
    {
        Console.Error.WriteLine("a reply that is not the help card: " + (body.Length > 600 ? body[..600] : body));
    }

    Interlocked.Increment(ref replies);
    return Results.Json(new { id = $"1:{Guid.NewGuid():N}" });
});
connector.MapGet("/v3/conversations/{conversationId}/members/{memberId}", (string memberId) =>
{
    var index = int.Parse(memberId.Split('-')[^1], CultureInfo.InvariantCulture);
    var email = people[index % people.Count];
    return Results.Json(new { id = memberId, name = email, aadObjectId = $"aad-{index}", email, userPrincipalName = email });
});
await connector.StartAsync();
var serviceUrl = connector.Urls.First() + "/";
var clients = connector.Services.GetRequiredService<IHttpClientFactory>();

// The host, as a separate Release process on its own port and a throw-away data folder; measured once Healthy.
ReleaseHost host;
try
{
    host = await ReleaseHost.StartAsync("teamsload", new Dictionary<string, string>(), clients.CreateClient("load"), verbose);
}
catch (ReleaseHostException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

using var hostLifetime = host;
var client = clients.CreateClient("load");
client.BaseAddress = host.BaseAddress;

async Task<bool> SendAsync(int worker)
{
    var id = $"act-{Guid.NewGuid():N}";
    var activity = new JsonObject
    {
        ["type"] = "message",
        ["id"] = id,
        ["serviceUrl"] = serviceUrl,
        ["channelId"] = "msteams",
        ["from"] = new JsonObject { ["id"] = $"29:user-{worker}", ["aadObjectId"] = $"aad-{worker}", ["name"] = "Load" },
        ["recipient"] = new JsonObject { ["id"] = "28:bot", ["name"] = "ComplianceBot" },
        ["conversation"] = new JsonObject { ["id"] = $"a:load-{worker}", ["conversationType"] = "personal", ["tenantId"] = "tenant" },
        ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = "tenant" } },
        ["text"] = "help",
    };
    sentAt[id] = clock.ElapsedTicks;
    using var response = await client.PostAsync("/api/messages", new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"));
    return response.StatusCode == HttpStatusCode.OK;
}

if (verbose)
{
    Console.WriteLine($"host pid {host.ProcessId}");
}

// Warm-up: every worker's user is linked once (roster lookup), then JIT and pools settle.
for (var w = 0; w < connections; w++)
{
    await SendAsync(w);
}

await RunAsync(TimeSpan.FromSeconds(warmup), null);
arrival.Clear();
var latencies = new ConcurrentBag<double>();
var hostCpuBefore = host.CpuTime()!.Value;
var selfCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var measured = Stopwatch.StartNew();
var completed = await RunAsync(TimeSpan.FromSeconds(seconds), latencies);
var elapsed = measured.Elapsed.TotalSeconds;
var hostCpuMs = (host.CpuTime()!.Value - hostCpuBefore).TotalMilliseconds;
var selfCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - selfCpuBefore).TotalMilliseconds;

async Task<int> RunAsync(TimeSpan duration, ConcurrentBag<double>? record)
{
    var until = clock.Elapsed + duration;
    var count = 0;
    await Task.WhenAll(Enumerable.Range(0, connections).Select(async w =>
    {
        while (clock.Elapsed < until)
        {
            var t0 = clock.ElapsedTicks;
            if (!await SendAsync(w))
            {
                Interlocked.Increment(ref failures);
            }

            record?.Add((clock.ElapsedTicks - t0) * 1000.0 / Stopwatch.Frequency);
            Interlocked.Increment(ref count);
        }
    }));
    return count;
}

host.Dispose();
await connector.StopAsync();

var lat = new Percentiles(latencies);
var arr = new Percentiles(arrival);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"connections={connections} duration={elapsed:F1}s activities={completed} failures={failures} throughput={completed / elapsed:F0}/s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"request latency ms: p50={lat.At(50):F1} p90={lat.At(90):F1} p99={lat.At(99):F1} max={lat.Max:F1}"));
// CPU per activity is what the throughput on an idle machine would be bounded by (the machine is shared, so wall-clock
// throughput depends on what else runs); the load generator and fake connector share the machine with the host.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"cpu per activity ms: host={hostCpuMs / completed:F2} loadgen+connector={selfCpuMs / completed:F2} (machine cores {Environment.ProcessorCount}, load average {LoadAverage()})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"request -> reply at connector ms: p50={arr.At(50):F1} p99={arr.At(99):F1} (replies {arr.Count})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"replies at the connector (whole run, warm-up included): {replies}, of which Adaptive Cards with actions: {cardReplies}"));
return failures == 0 && cardReplies == replies ? 0 : 2;

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
