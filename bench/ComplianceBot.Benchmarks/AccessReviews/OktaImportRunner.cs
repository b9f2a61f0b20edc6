using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceBot.Tests;

namespace ComplianceBot.Benchmarks.AccessReviews;

/// <summary>
/// Import time of a native Okta users report of 20,000 accounts (status, lastLogin, groups, admin roles), each compared
/// with the previous quarter's 20,000 through POST /api/admin/access-reviews on the real host (BotApplication from the
/// tests). Bounded: a few iterations, min / median / max, with the process's peak working set.
/// Usage: dotnet run -c Release --project bench/ComplianceBot.Benchmarks -- okta-import [iterations] [accounts]
/// </summary>
public static class OktaImportRunner
{
    public static async Task RunAsync(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var accounts = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;

        await using var app = new BotApplication();
        var admin = app.CreateAdminClient();
        // A shared, loaded machine can take longer than HttpClient's default 100 s; the runner reports the time either way.
        admin.Timeout = TimeSpan.FromMinutes(15);

        async Task<(int Id, int Flagged)> ImportAsync(string period, string csv)
        {
            var response = await admin.PostAsync($"/api/admin/access-reviews?system=Okta&period={period}", new StringContent(csv, Encoding.UTF8, "text/csv"));
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
            }

            var created = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (created.GetProperty("id").GetInt32(), created.GetProperty("flagged").GetInt32());
        }

        // A started review is what the next quarter is compared with (a draft never is); starting is not timed.
        async Task StartAsync(int id)
        {
            var preview = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/access-reviews/{id}/preview");
            var started = await admin.PostAsJsonAsync($"/api/admin/access-reviews/{id}/start",
                new { control = preview.GetProperty("controlId").GetString(), reviewer = preview.GetProperty("reviewer").GetString() });
            if (!started.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(await started.Content.ReadAsStringAsync());
            }
        }

        var baseline = Report(accounts, changedEvery: 0);
        var changed = Report(accounts, changedEvery: 50);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Okta users report: {accounts} accounts, {Encoding.UTF8.GetByteCount(changed) / 1024.0 / 1024.0:F1} MB"));
        await StartAsync((await ImportAsync("2019-Q4", baseline)).Id); // warm-up: JIT, EF model, SQLite pages

        var times = new List<double>();
        var cpu = new List<double>();
        var flagged = 0;
        for (var i = 0; i < iterations; i++)
        {
            var period = $"{2020 + (i / 4)}-Q{(i % 4) + 1}";
            // CPU time of the whole process (host and client) beside wall time: on a shared machine the wall time mostly measures the neighbours.
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            (var id, flagged) = await ImportAsync(period, i % 2 == 0 ? changed : baseline);
            times.Add(watch.Elapsed.TotalMilliseconds);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
            await StartAsync(id);
        }

        var sorted = times.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Import of {accounts} Okta accounts (POST /api/admin/access-reviews, compared with {accounts} previous): n={sorted.Count} min={sorted[0]:F0} ms median={sorted[sorted.Count / 2]:F0} ms max={sorted[^1]:F0} ms; " +
            $"CPU median {cpu.Order().ElementAt(cpu.Count / 2):F0} ms; flagged {flagged}; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MB"));
    }

    /// <summary>
    /// An Okta report as the admin console's user export writes it: every 50th account (when asked) moved into an admin
    /// group, every 40th suspended, every 25th without a login in a year.
    /// </summary>
    public static string Report(int accounts, int changedEvery)
    {
        var text = new StringBuilder(accounts * 260);
        text.Append("id,status,created,activated,statusChanged,lastLogin,lastUpdated,passwordChanged,profile.login,profile.email,profile.firstName,profile.lastName,groups,adminRoles\n");
        for (var i = 0; i < accounts; i++)
        {
            var login = string.Create(CultureInfo.InvariantCulture, $"user{i:D5}@acme.example");
            var status = i % 40 == 7 ? "SUSPENDED" : "ACTIVE";
            var lastLogin = i % 25 == 3 ? "2025-09-01T08:00:00.000Z" : string.Create(CultureInfo.InvariantCulture, $"2026-11-{1 + (i % 26):D2}T08:{i % 60:D2}:00.000Z");
            var groups = changedEvery > 0 && i % changedEvery == 0 ? "Everyone;Engineering;AWS-Prod-Admin" : "Everyone;Engineering";
            var adminRoles = i % 500 == 0 ? "Read-only Administrator" : "";
            text.Append(CultureInfo.InvariantCulture,
                $"00u{i:D17},{status},2021-03-01T09:00:00.000Z,2021-03-01T09:05:00.000Z,2021-03-01T09:05:00.000Z,{lastLogin},2026-11-26T08:02:13.000Z,2026-09-01T10:00:00.000Z,{login},{login},User,{i},\"{groups}\",{adminRoles}\n");
        }

        return text.ToString();
    }
}
