using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Reminders;

/// <summary>
/// Writes the ladder's rows for tasks that are coming due, and for expiring evidence. Other features schedule their own
/// reminders with <see cref="ScheduleAsync"/> and register an <see cref="IReminderSubject"/> for their subject prefix.
/// </summary>
public sealed class ReminderPlanner(ComplianceDbContext db, ReminderLadder ladder, IOptions<EvidenceOptions> evidenceOptions, TimeProvider clock)
{
    private const int BatchSize = 500;

    public static string TaskSubject(int taskId) => $"task:{taskId}";

    public static string EvidenceSubject(int evidenceId) => $"evidence:{evidenceId}";

    /// <summary>Plans every open task whose first rung is near and that has no reminder rows yet.</summary>
    public async Task<int> PlanDueTasksAsync(CancellationToken cancellationToken)
    {
        var horizon = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(ladder.LeadDays + 7); // pre-due rungs can move back over a weekend and holidays
        var planned = 0;
        var afterId = 0;
        while (true)
        {
            var tasks = await db.ControlTasks
                .Where(t => t.Id > afterId && t.Status == ControlTaskStatus.Open && t.DueDate <= horizon && !db.Reminders.Any(r => r.TaskId == t.Id))
                .OrderBy(t => t.Id).Take(BatchSize)
                .Include(t => t.Assignee).ThenInclude(p => p!.Manager)
                .ToListAsync(cancellationToken);
            if (tasks.Count == 0)
            {
                return planned;
            }

            afterId = tasks[^1].Id;
            foreach (var task in tasks)
            {
                planned += await AddPlanAsync(task, [], cancellationToken);
            }

            if (!await TrySaveAsync(cancellationToken))
            {
                // Another host planned some of these at the same moment: plan the rest one by one.
                foreach (var task in tasks)
                {
                    await PlanTaskAsync(task.Id, cancellationToken);
                }
            }

            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Adds the rungs a task does not have yet (after a reassignment: the rest of the ladder, for the new owner).</summary>
    public async Task<int> PlanTaskAsync(int taskId, CancellationToken cancellationToken)
    {
        var task = await db.ControlTasks.Include(t => t.Assignee).ThenInclude(p => p!.Manager).SingleAsync(t => t.Id == taskId, cancellationToken);
        var subject = TaskSubject(task.Id);
        var existing = await db.Reminders.Where(r => r.Subject == subject).Select(r => r.Step).ToListAsync(cancellationToken);
        var added = await AddPlanAsync(task, [.. existing], cancellationToken);
        return await TrySaveAsync(cancellationToken) ? added : 0;
    }

    /// <summary>A refresh reminder for evidence expiring within the configured window, once per evidence item.</summary>
    public async Task<int> PlanEvidenceRefreshAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var limit = DateOnly.FromDateTime(now.UtcDateTime).AddDays(evidenceOptions.Value.RefreshReminderDays);
        var expiring = await db.EvidenceItems
            .Where(e => e.ExpiresOn != null && e.ExpiresOn <= limit && !db.Reminders.Any(r => r.Subject == "evidence:" + e.Id))
            .OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.TaskId, e.Task!.AssigneeId })
            .Take(BatchSize).ToListAsync(cancellationToken);
        foreach (var item in expiring)
        {
            db.Reminders.Add(new Reminder
            {
                Subject = EvidenceSubject(item.Id),
                Step = "refresh",
                TaskId = item.TaskId,
                Audience = ReminderAudience.Owner,
                RecipientId = item.AssigneeId,
                DueAt = now,
                CreatedAt = now,
            });
        }

        return await TrySaveAsync(cancellationToken) ? expiring.Count : 0;
    }

    /// <summary>
    /// Schedules one reminder for any subject (e.g. "change:12", step "approver-1"); idempotent on (subject, step).
    /// It is delivered in the recipient's working hours at or after <paramref name="notBefore"/>.
    /// </summary>
    public async Task<bool> ScheduleAsync(string subject, string step, ReminderAudience audience, int? recipientId, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        if (await db.Reminders.AnyAsync(r => r.Subject == subject && r.Step == step, cancellationToken))
        {
            return false;
        }

        Add(subject, step, audience, recipientId, notBefore);
        return await TrySaveAsync(cancellationToken);
    }

    /// <summary>Adds one reminder of a new subject to the unit of work; the caller saves it with the change it belongs to.</summary>
    public void Add(string subject, string step, ReminderAudience audience, int? recipientId, DateTimeOffset notBefore) =>
        db.Reminders.Add(new Reminder { Subject = subject, Step = step, Audience = audience, RecipientId = recipientId, DueAt = notBefore, CreatedAt = clock.GetUtcNow() });

    /// <summary>Drops the unsent rungs of a subject (it was done, or reassigned and about to be re-planned).</summary>
    public Task<int> CancelPendingAsync(string subject, CancellationToken cancellationToken) =>
        db.Reminders.Where(r => r.Subject == subject && r.Status == ReminderStatus.Pending).ExecuteDeleteAsync(cancellationToken);

    /// <summary>Drops the unsent rungs addressed to someone who left the directory (nobody would read them).</summary>
    public Task<int> CancelPendingForRecipientAsync(int personId, CancellationToken cancellationToken) =>
        db.Reminders.Where(r => r.RecipientId == personId && r.Status == ReminderStatus.Pending).ExecuteDeleteAsync(cancellationToken);

    private Task<int> AddPlanAsync(ControlTask task, HashSet<string> existing, CancellationToken cancellationToken) =>
        Task.FromResult(AddLadder(TaskSubject(task.Id), task.Id, task.DueDate, task.Assignee!, existing));

    /// <summary>
    /// Adds to the unit of work the ladder's rungs for a subject that it does not have yet (<paramref name="existingSteps"/>);
    /// the caller saves. Returns how many rungs were added.
    /// </summary>
    public int AddLadder(string subject, int? taskId, DateOnly due, Person owner, IReadOnlyCollection<string> existingSteps)
    {
        var now = clock.GetUtcNow();
        var plan = ladder.Plan(due, owner, owner.Manager).Where(p => !existingSteps.Contains(p.Step)).ToList();

        // Planned late (already near or past due): only the latest owner rung that has passed is still worth sending.
        var lastPassed = plan.Where(p => p.Audience == ReminderAudience.Owner && p.DueAt <= now).MaxBy(p => p.DueAt);
        foreach (var step in plan)
        {
            var reminder = new Reminder
            {
                Subject = subject,
                Step = step.Step,
                TaskId = taskId,
                Audience = step.Audience,
                RecipientId = step.RecipientId,
                DueAt = step.DueAt,
                CreatedAt = now,
            };
            if (step.Audience == ReminderAudience.Owner && step.DueAt <= now && step != lastPassed)
            {
                reminder.Skip();
            }

            db.Reminders.Add(reminder);
        }

        return plan.Count;
    }

    private async Task<bool> TrySaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
