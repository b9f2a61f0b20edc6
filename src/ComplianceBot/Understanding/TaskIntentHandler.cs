using System.Text.RegularExpressions;
using ComplianceBot.Attestations;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Understanding;

/// <summary>
/// The control-owner intents: list my tasks (overdue, due soon, for a control or system), and attest / upload evidence /
/// snooze / "not mine" — straight to that task's form or action when the message names a control and one task fits,
/// otherwise a short list to pick from.
/// </summary>
public sealed partial class TaskIntentHandler(ComplianceDbContext db, FlowLookup flows, IOptions<EvidenceOptions> evidence, TimeProvider clock) : IIntentHandler
{
    public IReadOnlyList<string> Labels { get; } = [IntentLabels.TasksList, IntentLabels.Attest, IntentLabels.Evidence, IntentLabels.Snooze, IntentLabels.Reassign];

    public async Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken)
    {
        var person = request.Context.Person!;
        return request.Intent.Label switch
        {
            IntentLabels.TasksList => [await ListAsync(request, person, cancellationToken)],
            IntentLabels.Attest => await OnTaskAsync(request, person, AttestationFlow.StartAction, "attest", cancellationToken),
            IntentLabels.Evidence => await OnTaskAsync(request, person, EvidenceFlow.UploadAction, "upload evidence for", cancellationToken),
            IntentLabels.Snooze => await SnoozeAsync(request, person, cancellationToken),
            _ => await OnTaskAsync(request, person, ReminderFlow.NotMineAction, "pass on", cancellationToken),
        };
    }

    private Task<Reply> ListAsync(IntentRequest request, Person person, CancellationToken cancellationToken)
    {
        var lower = request.Text.ToLowerInvariant();
        var filter = new TaskFilter(
            OverdueOnly: OverduePattern().IsMatch(lower),
            DueWithinDays: TodayPattern().IsMatch(lower) ? 0 : WeekPattern().IsMatch(lower) ? 7 : MonthPattern().IsMatch(lower) ? 31 : null,
            ControlId: request.Slots.Control,
            System: request.Slots.Control is null ? request.Slots.System : null);
        var tasksFlow = (MyTasksFlow)flows.Get(MyTasksFlow.FlowName);
        return tasksFlow.ListAsync(person, filter, 1, null, cancellationToken);
    }

    private async Task<IReadOnlyList<Reply>> SnoozeAsync(IntentRequest request, Person person, CancellationToken cancellationToken)
    {
        if (request.Slots.Until is null && request.Slots.AsksWhen)
        {
            return [new Reply("Sure. When should I remind you again? Say for example \"snooze till 14 Dec\", or pick one below.")
            {
                Actions = await SnoozeChoicesAsync(request, person, cancellationToken),
            }];
        }

        return await OnTaskAsync(request, person, ReminderFlow.SnoozeAction, "snooze", cancellationToken, ("until", request.Slots.Until ?? "1d"));
    }

    private async Task<List<ReplyAction>> SnoozeChoicesAsync(IntentRequest request, Person person, CancellationToken cancellationToken)
    {
        var tasks = await CandidatesAsync(person, request.Slots.Control, cancellationToken);
        return tasks.Count == 1
            ? [new(ReminderFlow.SnoozeAction, "Tomorrow", MyTasksFlow.Data(("task", tasks[0].Id), ("until", "1d"))), new(ReminderFlow.SnoozeAction, "Monday", MyTasksFlow.Data(("task", tasks[0].Id), ("until", "monday")))]
            : [new(MyTasksFlow.ListAction, "My tasks")];
    }

    /// <summary>One fitting task: the flow's action on it. Several: a list with that action per task. None: say so.</summary>
    private async Task<IReadOnlyList<Reply>> OnTaskAsync(IntentRequest request, Person person, string actionId, string verb, CancellationToken cancellationToken, params (string Key, string Value)[] extra)
    {
        var context = request.Context;
        var control = request.Slots.Control;
        if (control is null && actionId == AttestationFlow.StartAction)
        {
            return await flows.RunAsync(AttestationFlow.FlowName, context, cancellationToken);
        }

        if (control is null && actionId == EvidenceFlow.UploadAction)
        {
            return [HowToUpload()];
        }

        var tasks = await CandidatesAsync(person, control, cancellationToken);
        if (tasks.Count == 0 && control is not null && actionId == AttestationFlow.StartAction)
        {
            // Correcting an earlier attestation: the latest closed task of that control.
            tasks = await db.ControlTasks.Include(t => t.Control).Where(t => t.AssigneeId == person.Id && t.ControlId == control)
                .OrderByDescending(t => t.PeriodStart).Take(1).ToListAsync(cancellationToken);
        }

        if (tasks.Count == 0)
        {
            var what = control is null ? "open tasks" : $"an open task for {control}";
            return [new Reply($"You don't have {what} I could {verb}.") { Actions = [new ReplyAction(MyTasksFlow.ListAction, "My tasks")] }];
        }

        if (tasks.Count == 1)
        {
            var data = MyTasksFlow.Data(("task", tasks[0].Id));
            foreach (var (key, value) in extra)
            {
                data[key] = value;
            }

            var owner = flows.Get(actionId.Split('.')[0]);
            return await owner.HandleAsync(context.AsAction(actionId, data), cancellationToken);
        }

        var label = IntentLabels.Describe(request.Intent.Label);
        var today = DateOnly.FromDateTime(person.LocalTime(clock.GetUtcNow()).DateTime);
        return [new Reply(control is null ? $"Which task? ({label})" : $"You have {tasks.Count} open tasks for {control}. Which one?")
        {
            Title = label,
            Items = [.. tasks.Take(MyTasksFlow.PageSize).Select(t => new ReplyItem($"{t.ControlId} {t.Control!.Title} — {t.Period}, {MyTasksFlow.DueText(t, today)}")
            {
                Actions = [new ReplyAction(actionId, label, Merge(MyTasksFlow.Data(("task", t.Id)), extra))],
            })],
        }];
    }

    private async Task<List<ControlTask>> CandidatesAsync(Person person, string? control, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(person.LocalTime(clock.GetUtcNow()).DateTime);
        var query = db.ControlTasks.Include(t => t.Control)
            .Where(t => t.AssigneeId == person.Id && t.Status == ControlTaskStatus.Open && t.PeriodStart <= today);
        if (control is not null)
        {
            query = query.Where(t => t.ControlId == control);
        }

        return await query.OrderBy(t => t.DueDate).ThenBy(t => t.ControlId).ToListAsync(cancellationToken);
    }

    private Reply HowToUpload() => new(
        "Drop the file here in this chat (in Teams use the paperclip under the message box; in the web chat the attach button) and I'll ask which task it belongs to. " +
        "To replace a wrong file, upload the right one to the same task: both stay on record, the newer one counts.")
    {
        Title = "Upload evidence",
        Fields =
        [
            new ReplyField("Accepted", string.Join(", ", evidence.Value.EffectiveExtensions)),
            new ReplyField("Largest file", $"{evidence.Value.MaxBytes / (1024 * 1024)} MB"),
        ],
        Actions = [new ReplyAction(MyTasksFlow.ListAction, "My tasks")],
    };

    private static Dictionary<string, string> Merge(Dictionary<string, string> data, (string Key, string Value)[] extra)
    {
        foreach (var (key, value) in extra)
        {
            data[key] = value;
        }

        return data;
    }

    [GeneratedRegex(@"\b(overdue|late|behind|missed|past due|over ?due|overdu|ovrdue)\b")]
    private static partial Regex OverduePattern();

    [GeneratedRegex(@"\b(today|tonight|end of day|eod)\b")]
    private static partial Regex TodayPattern();

    [GeneratedRegex(@"\b(this week|next week|7 days|seven days|soon|coming up|upcoming|before friday|by friday)\b")]
    private static partial Regex WeekPattern();

    [GeneratedRegex(@"\b(this month|30 days|31 days|next month)\b")]
    private static partial Regex MonthPattern();
}
