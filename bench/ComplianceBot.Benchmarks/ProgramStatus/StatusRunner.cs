using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ComplianceBot.Tests;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Benchmarks.ProgramStatus;

/// <summary>
/// Program status on N occurrences (default 100,000) through the real host: GET /api/admin/status, the /dashboard page
/// (signed in through its own form) and "status" in the web chat, each min / median / max over a few iterations after a warm-up.
/// Usage: dotnet run -c Release --no-build --project bench/ComplianceBot.Benchmarks -- status [iterations=5] [tasks=100000]
/// </summary>
public static partial class StatusRunner
{
    public static async Task RunAsync(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var taskCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        await using var app = new BotApplication();
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 10, 14, 0, 0, TimeSpan.Zero));
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var seed = Stopwatch.StartNew();
            // Occurrences of every control and active person across Q4 2026: 60 % performed, 10 % with exceptions, 10 % not
            // performed (a third of the attested ones late), 10 % missed, 10 % open; unique synthetic period labels.
            await db.Database.ExecuteSqlAsync($"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {taskCount}),
                c AS (SELECT Id, ROW_NUMBER() OVER (ORDER BY Id) - 1 AS k, COUNT(*) OVER () AS total FROM Controls),
                p AS (SELECT Id, ROW_NUMBER() OVER (ORDER BY Id) - 1 AS k, COUNT(*) OVER () AS total FROM People WHERE Status = 'Active')
                INSERT INTO ControlTasks (ControlId, Period, PeriodStart, PeriodEnd, DueDate, AssigneeId, Status, DaysLate, CreatedAt, Version)
                SELECT c.Id, 'B' || n.i, date('2026-10-01', (n.i % 92) || ' days'), date('2026-10-01', (n.i % 92) || ' days'), date('2026-10-06', (n.i % 92) || ' days'), p.Id,
                       CASE WHEN n.i % 10 < 6 THEN 'Completed' WHEN n.i % 10 = 6 THEN 'CompletedWithExceptions' WHEN n.i % 10 = 7 THEN 'NotPerformed' WHEN n.i % 10 = 8 THEN 'Missed' ELSE 'Open' END,
                       CASE WHEN n.i % 10 < 8 AND n.i % 3 = 0 THEN 2 ELSE NULL END,
                       0, printf('%08X-0000-4000-8000-%012X', n.i, n.i)
                FROM n JOIN c ON c.k = n.i % c.total JOIN p ON p.k = n.i % p.total
                """);
            await db.Database.ExecuteSqlRawAsync("ANALYZE;");
            Console.WriteLine($"Seeded {await db.ControlTasks.CountAsync():N0} occurrences in {seed.Elapsed.TotalSeconds:F1} s");
        }

        var admin = app.CreateAdminClient();
        await MeasureAsync("GET /api/admin/status?period=2026-Q4", iterations, async () =>
        {
            var response = await admin.GetAsync("/api/admin/status?period=2026-Q4");
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadAsByteArrayAsync()).Length;
        });

        var browser = app.CreateClient();
        var signIn = await browser.GetStringAsync("/dashboard/sign-in");
        var token = TokenPattern().Match(signIn).Groups[1].Value;
        using (var form = new FormUrlEncodedContent([new("email", "dana.reyes@acme.example"), new("__RequestVerificationToken", token)]))
        {
            (await browser.PostAsync("/dashboard/sign-in?handler=Person", form)).EnsureSuccessStatusCode();
        }

        await MeasureAsync("GET /dashboard?period=2026-Q4 (HTML with SVG)", iterations, async () =>
        {
            var response = await browser.GetAsync("/dashboard?period=2026-Q4");
            response.EnsureSuccessStatusCode();
            var html = await response.Content.ReadAsStringAsync();
            return html.Contains("data-metric=\"totals.expected\"", StringComparison.Ordinal) ? html.Length : throw new InvalidOperationException("Not the dashboard: " + html[..Math.Min(200, html.Length)]);
        });

        var chat = app.CreateClient();
        await MeasureAsync("\"status\" in the web chat (compliance admin)", iterations, async () =>
        {
            var response = await chat.PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", text = "status" });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadAsByteArrayAsync()).Length;
        });
    }

    private static async Task MeasureAsync(string name, int iterations, Func<Task<int>> run)
    {
        var bytes = await run(); // warm-up: JIT, EF query compilation, SQLite pages
        var times = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            bytes = await run();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"{name}: min {times[0]:F0} ms, median {times[times.Count / 2]:F0} ms, max {times[^1]:F0} ms ({bytes:N0} bytes)");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
