using ComplianceBot.Audit;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tasks;

/// <summary>Creates the task of each active control for the current and the next period. Idempotent: unique on (control, period).</summary>
public sealed class TaskGenerator(ComplianceDbContext db, AuditTrail audit, TimeProvider clock)
{
    public async Task<int> GenerateAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var controls = await db.Controls.Where(c => !c.Retired).ToListAsync(cancellationToken);

        var wanted = controls
            .SelectMany(c =>
            {
                var current = ReportingPeriod.Containing(c.Frequency, today);
                return new[] { (Control: c, Period: current), (Control: c, Period: current.Next(c.Frequency)) };
            })
            .ToList();
        var labels = wanted.Select(w => w.Period.Label).Distinct().ToList();
        var existing = (await db.ControlTasks
                .Where(t => labels.Contains(t.Period))
                .Select(t => new { t.ControlId, t.Period })
                .ToListAsync(cancellationToken))
            .Select(t => (t.ControlId, t.Period))
            .ToHashSet();

        var created = 0;
        foreach (var (control, period) in wanted.Where(w => !existing.Contains((w.Control.Id, w.Period.Label))))
        {
            db.ControlTasks.Add(new ControlTask
            {
                ControlId = control.Id,
                Period = period.Label,
                PeriodStart = period.Start,
                PeriodEnd = period.End,
                DueDate = period.DueDate(control),
                AssigneeId = control.OwnerId,
                CreatedAt = now,
            });
            audit.Record("system", "task.generated", $"task:{control.Id}/{period.Label}",
                new() { ["control"] = control.Id, ["period"] = period.Label, ["due"] = period.DueDate(control).ToString("O") });
            created++;
        }

        await db.SaveChangesAsync(cancellationToken);
        return created;
    }
}
