using System.Globalization;
using ComplianceBot.Audit;
using ComplianceBot.Controls;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tasks;

/// <summary>
/// Keeps the occurrences of every control in step with time and the program files: creates every occurrence from the
/// later of the audit period's start and when tracking began, closes open occurrences of retired controls and old
/// schedules as Retired (linked to their successor), and marks occurrences Missed once their due date has passed.
/// </summary>
/// <remarks>
/// Safe on every host at once: rows are unique on (control, period), so a host that loses an insert race re-reads and
/// carries on, and status moves go through the task's concurrency token (the loser leaves them to the next sweep).
/// </remarks>
public sealed class TaskGenerator(ComplianceDbContext db, AuditTrail audit, ProgramProfileHolder profile, TimeProvider clock, ILogger<TaskGenerator> logger)
{
    public Task<int> GenerateAsync(CancellationToken cancellationToken) => GenerateAsync(profile.Current, cancellationToken);

    /// <summary>Creates missing occurrences and retires those of old schedules; returns how many were created.</summary>
    public async Task<int> GenerateAsync(ProgramProfile program, CancellationToken cancellationToken)
    {
        int created;
        try
        {
            created = await CreateAsync(program, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Another host created some of the same occurrences a moment ago: take theirs and add the rest.
            db.ChangeTracker.Clear();
            created = await CreateAsync(program, cancellationToken);
        }

        // Overdue occurrences are missed before schedules change, so a retirement never hides a miss.
        await MarkMissedAsync(cancellationToken);
        await RetireOldSchedulesAsync(cancellationToken);
        return created;
    }

    /// <summary>Moves open occurrences whose due date has passed in their assignee's calendar to Missed.</summary>
    public async Task<int> MarkMissedAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var latestPossible = DateOnly.FromDateTime(now.UtcDateTime);
        var candidates = await db.ControlTasks.Include(t => t.Assignee)
            .Where(t => t.Status == ControlTaskStatus.Open && t.DueDate < latestPossible)
            .OrderBy(t => t.Id).ToListAsync(cancellationToken);
        var missed = 0;
        foreach (var task in candidates)
        {
            var today = DateOnly.FromDateTime(task.Assignee!.LocalTime(now).DateTime);
            if (task.MarkMissed(now, today))
            {
                audit.Record("system", "occurrence.missed", $"task:{task.Id}", new()
                {
                    ["control"] = task.ControlId,
                    ["period"] = task.Period,
                    ["due"] = task.DueDate.ToString("O", CultureInfo.InvariantCulture),
                    ["assignee"] = task.Assignee.Email,
                });
                missed++;
            }
        }

        return await TrySaveAsync(cancellationToken) ? missed : 0;
    }

    private async Task<int> CreateAsync(ProgramProfile program, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Tomorrow in UTC is already today east of it: a daily occurrence exists once its day has begun anywhere.
        var horizon = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1);
        var controls = await db.Controls.ToListAsync(cancellationToken);
        var byId = controls.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var active = controls.Where(c => !c.Retired).ToList();
        if (active.Count == 0)
        {
            return 0;
        }

        var firstDays = active.ToDictionary(c => c.Id, c => FirstDay(c, program, horizon));
        var lowest = firstDays.Values.Min();
        var existing = await db.ControlTasks.Where(t => t.PeriodEnd >= lowest)
            .Select(t => new { t.ControlId, t.Period, t.Status }).ToListAsync(cancellationToken);
        var own = existing.Select(t => (t.ControlId, t.Period)).ToHashSet();
        // A renumbered control's occurrences carry on from its predecessor's: periods it already holds are not repeated.
        var inherited = existing.Where(t => t.Status != ControlTaskStatus.Retired).Select(t => (t.ControlId, t.Period)).ToHashSet();

        var created = 0;
        foreach (var control in active)
        {
            var lineage = Predecessors(control, byId).ToList();
            for (var period = ReportingPeriod.Containing(control.Frequency, firstDays[control.Id]); period.Start <= horizon; period = period.Next(control.Frequency))
            {
                if (own.Contains((control.Id, period.Label)) || lineage.Any(id => inherited.Contains((id, period.Label))))
                {
                    continue;
                }

                Add(control, period, now);
                created++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>Closes open occurrences of retired controls and of a schedule the control no longer has.</summary>
    private async Task RetireOldSchedulesAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var controls = await db.Controls.ToDictionaryAsync(c => c.Id, StringComparer.Ordinal, cancellationToken);
        // A projection first: open occurrences are many in a large program, the stale ones a handful after an import.
        var open = await db.ControlTasks.AsNoTracking().Where(t => t.Status == ControlTaskStatus.Open)
            .Select(t => new { t.Id, t.ControlId, t.Period, t.PeriodStart }).ToListAsync(cancellationToken);
        var staleIds = open.Where(t => controls[t.ControlId] is var c && (c.Retired || ReportingPeriod.Containing(c.Frequency, t.PeriodStart).Label != t.Period))
            .Select(t => t.Id).ToList();
        if (staleIds.Count == 0)
        {
            return;
        }

        var stale = await db.ControlTasks.Where(t => staleIds.Contains(t.Id)).OrderBy(t => t.Id).ToListAsync(cancellationToken);

        var horizon = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1);
        var plans = stale.Select(task =>
        {
            var control = controls[task.ControlId];
            var heir = control.Retired ? Successor(control, controls) : control;
            var period = heir is null ? (ReportingPeriod?)null : ReportingPeriod.Containing(heir.Frequency, task.PeriodEnd < horizon ? task.PeriodEnd : horizon);
            return (Task: task, Control: control, Heir: heir, Period: period);
        }).ToList();

        // Successors first (the new schedule's or the renumbered control's occurrence), so each retired row can link its own.
        var wanted = plans.Where(p => p.Heir is not null).Select(p => (p.Heir!.Id, p.Period!.Value.Label)).Distinct().ToList();
        var heirIds = wanted.Select(w => w.Id).Distinct().ToList();
        var found = (await db.ControlTasks.Where(t => heirIds.Contains(t.ControlId)).Select(t => new { t.ControlId, t.Period }).ToListAsync(cancellationToken))
            .Select(t => (t.ControlId, t.Period)).ToHashSet();
        foreach (var plan in plans.Where(p => p.Heir is not null && !found.Contains((p.Heir.Id, p.Period!.Value.Label))))
        {
            found.Add((plan.Heir!.Id, plan.Period!.Value.Label));
            Add(plan.Heir, plan.Period.Value, now);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return;
        }

        var successors = await db.ControlTasks.Where(t => heirIds.Contains(t.ControlId)).ToListAsync(cancellationToken);
        foreach (var (task, control, heir, period) in plans)
        {
            var successor = heir is null ? null : successors.Single(t => t.ControlId == heir.Id && t.Period == period!.Value.Label);
            var reason = control.RenamedTo is { } renamed ? $"control renumbered to {renamed}"
                : control.Retired ? "control retired"
                : $"schedule changed to {control.Frequency.ToString().ToLowerInvariant()}";
            task.Retire(reason, successor, now);
            audit.Record("system", "occurrence.retired", $"task:{task.Id}", new()
            {
                ["control"] = task.ControlId,
                ["period"] = task.Period,
                ["reason"] = reason,
                ["successor"] = successor is null ? null : $"{successor.ControlId}/{successor.Period}",
            });
        }

        await TrySaveAsync(cancellationToken);
    }

    private ControlTask Add(Control control, ReportingPeriod period, DateTimeOffset now)
    {
        var task = new ControlTask
        {
            ControlId = control.Id,
            Period = period.Label,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            DueDate = period.DueDate(control),
            AssigneeId = control.OwnerId,
            CreatedAt = now,
        };
        db.ControlTasks.Add(task);
        audit.Record("system", "task.generated", $"task:{control.Id}/{period.Label}",
            new() { ["control"] = control.Id, ["period"] = period.Label, ["due"] = task.DueDate.ToString("O") });
        return task;
    }

    /// <summary>The first day of a control's tracked schedule; without an imported program, today's period only.</summary>
    private static DateOnly FirstDay(Control control, ProgramProfile program, DateOnly horizon)
    {
        var from = program.OccurrencesFrom ?? horizon.AddDays(-1);
        return control.ScheduleStart is { } start && start > from ? start : from;
    }

    private static IEnumerable<string> Predecessors(Control control, Dictionary<string, Control> controls)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { control.Id };
        for (var id = control.RenamedFrom; id is not null && seen.Add(id) && controls.TryGetValue(id, out var previous); id = previous.RenamedFrom)
        {
            yield return id;
        }
    }

    /// <summary>Where a retired control's work went: the active control at the end of its renumbering chain, if any.</summary>
    private static Control? Successor(Control control, Dictionary<string, Control> controls)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { control.Id };
        var current = control;
        while (current.RenamedTo is { } next && seen.Add(next) && controls.TryGetValue(next, out var successor))
        {
            current = successor;
        }

        return current.Retired ? null : current;
    }

    private async Task<bool> TrySaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.IsUniqueViolation())
        {
            // Another host moved some of these, or appended to the audit chain, at the same moment (unique Sequence);
            // the save is all or nothing, and whatever is still due is picked up next sweep.
            logger.LogDebug(ex, "Occurrence upkeep raced another host; retrying next sweep");
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
