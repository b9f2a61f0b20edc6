using System.Globalization;
using ComplianceBot.Attestations;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Reminders;

/// <summary>The reminder's own buttons: "Snooze" (1 day / until Monday) and "Not mine" (reassign with a reason).</summary>
public sealed class ReminderFlow(
    ComplianceDbContext db,
    Attestor attestor,
    ReminderLadder ladder,
    ReminderPlanner planner,
    IEnumerable<IReminderSubject> subjects,
    OutboxWriter outbox,
    AuditTrail audit,
    TimeProvider clock) : IFlow
{
    public const string FlowName = "reminders";
    public const string SnoozeAction = "reminders.snooze";
    public const string NotMineAction = "reminders.notmine";
    public const string ReassignAction = "reminders.reassign";
    public const string PersonInput = "person";
    public const string ReasonInput = "reason";

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = [];

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        if (context.Action is not { } action || !int.TryParse(action.Get("task"), CultureInfo.InvariantCulture, out var taskId))
        {
            return [new Reply("Snooze and \"Not mine\" work from the buttons on a reminder or in \"my tasks\".")];
        }

        var task = await db.ControlTasks.Include(t => t.Control).Include(t => t.Assignee).SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task?.Control is null)
        {
            return [new Reply("I couldn't find that task any more.")];
        }

        if (!task.IsOpen)
        {
            return [new Reply($"{task.ControlId} for {task.Period} is already {task.Status}; no more reminders will come for it.") { UpdatesSource = true }];
        }

        if (!await attestor.MayActForAsync(person, task, cancellationToken))
        {
            return [new Reply(await attestor.RefuseAsync(person, task, action.Id == SnoozeAction ? "snooze" : "reassign", cancellationToken)) { Title = "Not your task" }];
        }

        return action.Id switch
        {
            SnoozeAction => [await SnoozeAsync(person, task, action.Get("until") ?? "1d", cancellationToken)],
            NotMineAction => [await ReassignFormAsync(task, null, null, new Dictionary<string, string>(), cancellationToken)],
            ReassignAction => [await ReassignAsync(context, person, task, cancellationToken)],
            _ => [new Reply("That button belongs to something I no longer know about.")],
        };
    }

    private async Task<Reply> SnoozeAsync(Person person, ControlTask task, string choice, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = ladder.SnoozeUntil(person, choice, now);
        var subject = ReminderPlanner.TaskSubject(task.Id);
        var moved = await db.Reminders
            .Where(r => r.Subject == subject && r.Audience == ReminderAudience.Owner && r.Status == ReminderStatus.Pending && r.DueAt < until)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DueAt, until), cancellationToken);
        audit.Record(person.Email, "reminder.snoozed", subject, new() { ["until"] = until.ToString("O", CultureInfo.InvariantCulture), ["moved"] = moved.ToString(CultureInfo.InvariantCulture) });
        await db.SaveChangesAsync(cancellationToken);
        return new Reply($"Snoozed: I'll remind you about {task.ControlId} ({task.Period}) again on {ReminderLadder.Describe(person, until)}. It is still due {task.DueDate:d MMM yyyy}.")
        {
            Title = $"{task.ControlId} {task.Control!.Title} — {task.Period}",
            Actions = [AttestationFlow.Button(task), Evidence.EvidenceFlow.Button(task)],
            UpdatesSource = true,
        };
    }

    private async Task<Reply> ReassignFormAsync(ControlTask task, string? personValue, string? reason, IReadOnlyDictionary<string, string> errors, CancellationToken cancellationToken)
    {
        // A real directory outgrows a list in the message: past 100 people the channel searches as the user types.
        var people = await db.People.AsNoTracking().Where(p => p.Status == PersonStatus.Active && p.Id != task.AssigneeId)
            .OrderBy(p => p.Name).ThenBy(p => p.Id).Take(ReplyInput.MaxListedOptions + 1).Select(p => new { p.Email, p.Name, p.Title }).ToListAsync(cancellationToken);
        var search = people.Count > ReplyInput.MaxListedOptions;
        var options = search
            ? await db.People.AsNoTracking().Where(p => p.Email == personValue).Select(p => ActivePeopleChoices.Option(p.Email, p.Name, p.Title)).ToListAsync(cancellationToken)
            : [.. people.Select(p => ActivePeopleChoices.Option(p.Email, p.Name, p.Title))];
        return new Reply($"Who should own {task.ControlId} for {task.Period} instead? They will be told, with your reason, and the change is logged.")
        {
            Title = "Not mine",
            Form = new ReplyForm($"Reassign {task.ControlId}", ReassignAction, "Reassign",
            [
                new ReplyInput(PersonInput, "New owner", InputKind.Choice)
                {
                    Required = true, Value = personValue, Options = options, Dataset = search ? ActivePeopleChoices.Name : null,
                    Placeholder = search ? "Type a name or email" : null,
                },
                new ReplyInput(ReasonInput, "Reason", InputKind.MultilineText) { Required = true, Value = reason },
            ])
            {
                Data = MyTasksFlow.Data(("task", task.Id)),
                Errors = errors,
            },
        };
    }

    private async Task<Reply> ReassignAsync(FlowContext context, Person person, ControlTask task, CancellationToken cancellationToken)
    {
        var email = context.Action!.Get(PersonInput);
        var reason = context.Action.Get(ReasonInput);
        var normalized = (email is null ? null : People.EmailAddress.Normalize(email));
        var target = normalized is null ? null : await db.People.Include(p => p.Manager).SingleOrDefaultAsync(p => p.Email == normalized, cancellationToken);
        var errors = new Dictionary<string, string>();
        if (target is not { IsActive: true })
        {
            errors[PersonInput] = "Please choose an active person from the directory.";
        }
        else if (target.Id == task.AssigneeId)
        {
            errors[PersonInput] = "That person already owns this task.";
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            errors[ReasonInput] = "A reason is required: the new owner and the auditor will read it.";
        }

        if (errors.Count > 0)
        {
            return await ReassignFormAsync(task, email, reason, errors, cancellationToken);
        }

        var previous = task.Assignee!;
        await AddNewOwnerNoticeAsync(task, previous, target!, reason!.Trim(), cancellationToken);
        task.Reassign(target!);
        audit.Record(person.Email, "task.reassigned", ReminderPlanner.TaskSubject(task.Id), new()
        {
            ["control"] = task.ControlId,
            ["period"] = task.Period,
            ["from"] = previous.Email,
            ["to"] = target!.Email,
            ["reason"] = reason!.Trim(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList().ForEach(e => e.State = EntityState.Detached);
            return new Reply("Someone changed this task at the same moment, so I didn't reassign it. Please open it again.");
        }

        await outbox.DeliverAsync(cancellationToken);

        // The old owner's unsent rungs go; the rest of the ladder is planned for the new owner.
        await planner.CancelPendingAsync(ReminderPlanner.TaskSubject(task.Id), cancellationToken);
        await planner.PlanTaskAsync(task.Id, cancellationToken);
        return new Reply($"Reassigned {task.ControlId} ({task.Period}) to {target.Name}. I've told them why; you won't get more reminders for it.")
        {
            Title = $"{task.ControlId} {task.Control!.Title} — {task.Period}",
            UpdatesSource = true,
        };
    }

    private async Task AddNewOwnerNoticeAsync(ControlTask task, Person previous, Person target, string reason, CancellationToken cancellationToken)
    {
        var probe = new Reminder { Subject = ReminderPlanner.TaskSubject(task.Id), Step = "reassigned", TaskId = task.Id, Audience = ReminderAudience.Owner, RecipientId = target.Id };
        var composed = await subjects.First(s => s.Handles(probe.Subject)).ComposeAsync(probe, cancellationToken);
        var reply = composed?.Reply ?? new Reply("");
        // Saved with the reassignment itself: the new owner hears of it exactly when it happened.
        outbox.ToPerson(target, reply with
        {
            Title = $"Reassigned to you: {task.ControlId} {task.Control!.Title} — {task.Period}",
            Text = $"{previous.Name} passed this task to you: \"{reason}\". " + reply.Text,
        }, $"{probe.Subject}:reassigned:{Guid.NewGuid():N}", "task.reassigned", probe.Subject);
    }
}

/// <summary>The "Snooze" button on open tasks in lists.</summary>
internal sealed class ReminderTaskActions : ITaskActions
{
    public IEnumerable<ReplyAction> For(ControlTask task) =>
        task.IsOpen ? [new ReplyAction(ReminderFlow.SnoozeAction, "Snooze 1 day", MyTasksFlow.Data(("task", task.Id), ("until", "1d")))] : [];
}
