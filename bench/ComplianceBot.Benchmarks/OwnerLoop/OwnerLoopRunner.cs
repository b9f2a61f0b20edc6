using System.Diagnostics;
using System.Globalization;
using ComplianceBot.Attestations;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Evidence;
using ComplianceBot.Outbox;
using ComplianceBot.Reminders;
using ComplianceBot.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Benchmarks.OwnerLoop;

/// <summary>
/// Control-owner loop measurements through the real host (BotApplication from the tests), a fixed, small number of iterations:
///  1. one reminder sweep (generate / plan / refresh / dispatch) over N open tasks on SQLite, steady state (ladder planned);
///  2. planning the ladder for 10,000 newly due tasks, and sending 200 due reminders;
///  3. GET /api/admin/export?period=2026 (the 12-month audit period of #19's target) with M attestations, 200 evidence files
///     and M audit events, streamed.
/// Usage: dotnet run -c Release --project bench/ComplianceBot.Benchmarks -- owner-loop [iterations] [tasks] [attestations]
/// </summary>
public static class OwnerLoopRunner
{
    /// <param name="args">The arguments after the runner name: [iterations (5)] [tasks (100,000)] [attestations (10,000)].</param>
    public static async Task RunAsync(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var taskCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var attestationCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
        await ReminderSweepAsync(iterations, taskCount);
        await AuditorExportAsync(iterations, attestationCount);
    }

    /// <summary>1 + 2: the reminder sweep in steady state, then planning and sending.</summary>
    private static async Task ReminderSweepAsync(int iterations, int taskCount)
    {
        await using var app = new BotApplication();
        app.Clock.SetUtcNow(BotApplication.DefaultNow); // Friday 14:00 UTC: 09:00 in New York
        var sweep = app.Services.GetRequiredService<ReminderSweep>();
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var seed = Stopwatch.StartNew();
            // Synthetic open tasks due from 30 days ago to 89 days ahead, spread over every control and person. Their labels
            // are real (daily) periods of long ago, so the occurrence upkeep sees a valid schedule and leaves them be.
            await db.Database.ExecuteSqlRawAsync("UPDATE Controls SET Frequency = 'Daily'");
            await db.Database.ExecuteSqlAsync($"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {taskCount}),
                c AS (SELECT Id, ROW_NUMBER() OVER (ORDER BY Id) - 1 AS k, COUNT(*) OVER () AS total FROM Controls),
                p AS (SELECT Id, ROW_NUMBER() OVER (ORDER BY Id) - 1 AS k, COUNT(*) OVER () AS total FROM People WHERE Status = 'Active')
                INSERT INTO ControlTasks (ControlId, Period, PeriodStart, PeriodEnd, DueDate, AssigneeId, Status, CreatedAt, Version)
                SELECT c.Id, date('2000-01-01', (n.i / c.total) || ' days'), date('2000-01-01', (n.i / c.total) || ' days'), date('2000-01-01', (n.i / c.total) || ' days'),
                       date('2026-11-27', ((n.i % 120) - 30) || ' days'), p.Id, 'Open', 0, printf('%08X-0000-4000-8000-%012X', n.i, n.i)
                FROM n JOIN c ON c.k = n.i % c.total JOIN p ON p.k = n.i % p.total
                """);
            // Steady state: every task already has its ladder (one rung sent, the next pending in the future).
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO Reminders (Subject, Step, TaskId, Audience, RecipientId, DueAt, Status, SentAt, CreatedAt)
                SELECT 'task:' || Id, 'due-7', Id, 'Owner', AssigneeId, 0, 'Sent', 0, 0 FROM ControlTasks WHERE Period < '2020'
                UNION ALL
                SELECT 'task:' || Id, 'overdue-99', Id, 'Owner', AssigneeId, 700000000000000000, 'Pending', NULL, 0 FROM ControlTasks WHERE Period < '2020'
                """);
            await db.Database.ExecuteSqlRawAsync("ANALYZE;");
            var open = await db.ControlTasks.CountAsync(t => ComplianceBot.Tasks.ControlTask.AwaitingStatuses.Contains(t.Status));
            var rows = await db.Reminders.CountAsync();
            Console.WriteLine($"Seeded {open:N0} open tasks and {rows:N0} reminder rows in {seed.Elapsed.TotalSeconds:F1} s");
        }

        await sweep.RunOnceAsync(default); // warm-up: JIT, EF model, SQLite pages; plans the demo org's own tasks
        await sweep.RunOnceAsync(default);
        var sweeps = new List<double>();
        long sweepAllocated = 0;
        for (var i = 0; i < iterations; i++)
        {
            var (ms, allocated) = await MeasureAsync(() => sweep.RunOnceAsync(default));
            sweeps.Add(ms);
            sweepAllocated = allocated;
        }

        Console.WriteLine($"Reminder sweep over {taskCount:N0} open tasks (steady state, nothing due): {Stats(sweeps)}; allocated {Mb(sweepAllocated)} per sweep");

        // Planning: 10,000 tasks lose their rows, as if they had just come due.
        await using (var scope = app.Scope())
        {
            await BotApplication.Db(scope).Database.ExecuteSqlRawAsync("DELETE FROM Reminders WHERE TaskId IN (SELECT Id FROM ControlTasks WHERE Period < '2020' AND DueDate > '2026-12-01' ORDER BY Id LIMIT 10000)");
        }

        int planned = 0;
        var (planMs, planAllocated) = await MeasureAsync(async () =>
        {
            await using var scope = app.Scope();
            planned = await scope.ServiceProvider.GetRequiredService<ReminderPlanner>().PlanDueTasksAsync(default);
        });
        Console.WriteLine($"Planning the ladder for 10,000 tasks: {planned:N0} rows in {planMs:F0} ms ({planMs / 10_000:F2} ms per task); allocated {Mb(planAllocated)}");

        // Sending: 200 reminders to a person in working hours, through the web channel's inbox.
        await using (var scope = app.Scope())
        {
            await BotApplication.Db(scope).Database.ExecuteSqlRawAsync("""
                UPDATE Reminders SET DueAt = 0, Status = 'Pending' WHERE Id IN (
                  SELECT r.Id FROM Reminders r JOIN People p ON p.Id = r.RecipientId
                  WHERE p.Email = 'dana.reyes@acme.example' AND r.Step = 'overdue-99' LIMIT 200)
                """);
        }

        DispatchResult result = null!;
        var (sendMs, sendAllocated) = await MeasureAsync(async () => result = await sweep.Dispatcher.DispatchDueAsync(default));
        Console.WriteLine($"Dispatching {result.Sent} due reminders (claim, compose, send, audit): {sendMs:F0} ms ({sendMs / Math.Max(1, result.Sent):F1} ms each); allocated {Mb(sendAllocated)}");
    }

    /// <summary>3: the auditor export of a period.</summary>
    private static async Task AuditorExportAsync(int iterations, int attestationCount)
    {
        await using var app = new BotApplication();
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var seed = Stopwatch.StartNew();
            await db.Database.ExecuteSqlAsync($"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {attestationCount}),
                c AS (SELECT Id, ROW_NUMBER() OVER (ORDER BY Id) - 1 AS k, COUNT(*) OVER () AS total FROM Controls)
                INSERT INTO ControlTasks (ControlId, Period, PeriodStart, PeriodEnd, DueDate, AssigneeId, Status, CreatedAt, Version)
                SELECT c.Id, 'E' || n.i, '2026-10-01', date('2026-10-01', (n.i % 92) || ' days'), '2027-01-15',
                       (SELECT OwnerId FROM Controls WHERE Id = c.Id), 'Open', 0, printf('%08X-0000-4000-8000-%012X', n.i, n.i)
                FROM n JOIN c ON c.k = n.i % c.total
                """);
            var tasks = await db.ControlTasks.AsNoTracking().Include(t => t.Control).Include(t => t.Assignee).Where(t => EF.Functions.Like(t.Period, "E%")).ToListAsync();
            var at = BotApplication.DefaultNow.AddDays(-20);
            foreach (var chunk in tasks.Chunk(2_000))
            {
                foreach (var task in chunk)
                {
                    db.Attestations.Add(Attestation.Create(task, task.Assignee!, at, ChannelKind.Slack, $"Slack:D1:{task.Id}.0001",
                        task.Control!.StatementFor(task.Period), task.Id % 10 == 0 ? AttestationOutcome.PerformedWithExceptions : AttestationOutcome.Performed,
                        task.Id % 10 == 0 ? "One sample late, followed up" : null, null, null));
                }

                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }

            var store = scope.ServiceProvider.GetRequiredService<IEvidenceStore>();
            var random = new Random(42);
            foreach (var task in tasks.Take(200))
            {
                var bytes = new byte[50 * 1024];
                random.NextBytes(bytes);
                "%PDF-1.7\n"u8.CopyTo(bytes);
                var stored = await store.PutAsync(new MemoryStream(bytes), default);
                db.EvidenceItems.Add(new EvidenceItem
                {
                    TaskId = task.Id, UploadedById = task.AssigneeId, UploadedAt = at, Channel = ChannelKind.Slack,
                    FileName = $"evidence-{task.Id}.pdf", ContentType = "application/pdf", Length = stored.Length, Sha256 = stored.Sha256,
                });
            }

            await db.SaveChangesAsync();
            var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
            for (var i = 0; i < attestationCount; i++)
            {
                audit.Record("bench@acme.example", "attestation.recorded", $"task:{tasks[i % tasks.Count].Id}", new() { ["n"] = i.ToString(CultureInfo.InvariantCulture) });
                if (i % 2_000 == 1_999)
                {
                    await db.SaveChangesAsync();
                    db.ChangeTracker.Clear();
                }
            }

            await db.SaveChangesAsync();
            Console.WriteLine($"Seeded {tasks.Count:N0} tasks with attestations, 200 evidence files of 50 KB and {attestationCount:N0} audit events in {seed.Elapsed.TotalSeconds:F1} s");
        }

        var admin = app.CreateAdminClient();
        async Task<(long Bytes, double Ms, long Allocated)> ExportAsync()
        {
            long size = 0;
            var (ms, allocated) = await MeasureAsync(async () =>
            {
                using var response = await admin.GetAsync("/api/admin/export?period=2026", HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    size += read;
                }
            });
            return (size, ms, allocated);
        }

        await ExportAsync(); // warm-up
        var exports = new List<double>();
        (long Bytes, double Ms, long Allocated) last = default;
        for (var i = 0; i < Math.Max(1, iterations / 2); i++)
        {
            last = await ExportAsync();
            exports.Add(last.Ms);
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"Export of the 2026 audit period (target ≤ 3 s, flat memory) with {attestationCount:N0} attestations (zip {Mb(last.Bytes)}, read as a stream): {Stats(exports)}; " +
            $"allocated {Mb(last.Allocated)} per export; managed heap after {Mb(GC.GetTotalMemory(forceFullCollection: true))}; peak working set of the process {Mb(process.PeakWorkingSet64)}");
    }

    private static string Stats(List<double> ms)
    {
        var sorted = ms.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"n={sorted.Count} min={sorted[0]:F1} ms median={sorted[sorted.Count / 2]:F1} ms max={sorted[^1]:F1} ms");
    }

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MB");

    private static async Task<(double Ms, long Allocated)> MeasureAsync(Func<Task> action)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await action();
        return (watch.Elapsed.TotalMilliseconds, GC.GetTotalAllocatedBytes(precise: true) - before);
    }
}
