using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Tests.ChangeApprovals;
using ComplianceBot.Tests.Channels.Teams;

namespace ComplianceBot.Benchmarks.ChangeApprovals;

/// <summary>
/// Change approvals through Teams, in-process host (TeamsApplication from the tests) with a fake Bot Connector on 127.0.0.1:
/// POST /api/changes → card at the fake Bot Connector, then Action.Execute approvals on POST /api/messages
/// (each: turn, decision, base-message PUT, requester notice). A fixed, small amount of work: the machine is shared.
/// Usage: dotnet run -c Release --project bench/ComplianceBot.Benchmarks -- change-approvals [changes] [concurrency]
/// </summary>
public static class ChangeApprovalsRunner
{
    private const string Grace = "grace.liu@acme.example", Daniel = "daniel.levi@acme.example";

    /// <param name="args">The arguments after the runner name: [changes (100)] [concurrency (4)].</param>
    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;

        using var app = new TeamsApplication();
        app.Settings["Logging:LogLevel:Default"] = "Error";
        app.AddMember("29:grace", "aad-grace", Grace, "Grace Liu");
        app.AddMember("29:daniel", "aad-daniel", Daniel, "Daniel Levi");
        var admin = app.CreateAdminClient();
        var serviceUrl = app.Connector.ServiceUrl;
        foreach (var (mri, aad) in new[] { ("29:grace", "aad-grace"), ("29:daniel", "aad-daniel") })
        {
            (await app.PostAsync(TeamsActivities.Message(serviceUrl, "hi", mri, aad))).EnsureSuccessStatusCode();
        }

        async Task<(int Id, double Ms)> SubmitAsync()
        {
            var before = app.Connector.Calls.Count;
            var watch = Stopwatch.StartNew();
            var response = await admin.PostAsJsonAsync("/api/changes", ChangeClient.Change(Grace, "low"));
            response.EnsureSuccessStatusCode();
            var ms = watch.Elapsed.TotalMilliseconds;
            // The card is sent before the 201 returns; check it really reached the connector.
            if (!app.Connector.Calls.Skip(before).Any(c => c.Method == "POST" && c.Path == "/v3/conversations/a:personal-aad-daniel/activities"))
            {
                throw new InvalidOperationException("The card did not reach the fake connector.");
            }

            return ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32(), ms);
        }

        await SubmitAsync(); // warm-up
        var submitted = new List<(int Id, double Ms)>();
        for (var i = 0; i < count; i++)
        {
            submitted.Add(await SubmitAsync());
        }

        var latencies = new ConcurrentBag<double>();
        var queue = new ConcurrentQueue<int>(submitted.Select(s => s.Id));
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (queue.TryDequeue(out var id))
            {
                var watch = Stopwatch.StartNew();
                var response = await app.PostAsync(TeamsActivities.CardAction(serviceUrl, "changes.approve", new JsonObject { ["change"] = $"{id}" }, "29:daniel", "aad-daniel", "1:1"));
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadAsStringAsync();
                if (!body.Contains("It is now approved", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("Unexpected invoke response: " + body);
                }

                latencies.Add(watch.Elapsed.TotalMilliseconds);
            }
        }));
        var seconds = total.Elapsed.TotalSeconds;

        Console.WriteLine($"POST /api/changes → card at the fake connector (card sent before the 201): {Stats(submitted.Select(s => s.Ms))}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Approvals via Action.Execute on /api/messages, {concurrency} concurrent: {count / seconds:F1} decisions/s; latency {Stats(latencies)}"));
    }

    private static string Stats(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        double P(double q) => sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
        return string.Create(CultureInfo.InvariantCulture, $"n={sorted.Count} min={sorted[0]:F1} ms p50={P(0.5):F1} ms p95={P(0.95):F1} ms max={sorted[^1]:F1} ms");
    }
}
