using System.Globalization;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tasks;

/// <summary>Buttons other features offer on a task (attest, upload evidence, snooze…), so the task list stays open for extension.</summary>
public interface ITaskActions
{
    IEnumerable<ReplyAction> For(ControlTask task);
}

/// <summary>"my tasks": my open control tasks whose period has begun, due soonest first, overdue marked, ten per page.</summary>
public sealed class MyTasksFlow(ComplianceDbContext db, IEnumerable<ITaskActions> taskActions, IOptions<AttestationWindowOptions> windows, TimeProvider clock) : IFlow
{
    public const string FlowName = "tasks";
    public const string ListAction = "tasks.list";
    public const string DetailsAction = "tasks.details";
    public const int PageSize = 10;

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["tasks", "my tasks", "todo", "to do", "what's due", "whats due", "list tasks", "show my tasks"];

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        if (context.Action is { Id: DetailsAction } details && int.TryParse(details.Get("task"), CultureInfo.InvariantCulture, out var taskId))
        {
            return [await DetailsAsync(taskId, person, cancellationToken)];
        }

        var page = int.TryParse(context.Action?.Get("page"), CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        return [await ListAsync(person, TaskFilter.FromData(context.Action), page, context.Action, cancellationToken)];
    }

    /// <summary>The person's open tasks whose period has begun, narrowed by <paramref name="filter"/>, one page.</summary>
    public async Task<Reply> ListAsync(People.Person person, TaskFilter filter, int page, TurnAction? source, CancellationToken cancellationToken)
    {
        var today = Today(person);
        var query = db.ControlTasks.Where(t => t.AssigneeId == person.Id && ControlTask.AwaitingStatuses.Contains(t.Status) && t.PeriodStart <= today);
        if (filter.OverdueOnly)
        {
            query = query.Where(t => t.DueDate < today);
        }

        if (filter.DueWithinDays is { } days)
        {
            var until = today.AddDays(days);
            query = query.Where(t => t.DueDate <= until);
        }

        if (filter.ControlId is { } controlId)
        {
            query = query.Where(t => t.ControlId == controlId);
        }

        if (filter.System is { } system)
        {
            query = query.Where(t => t.Control!.SystemName == system);
        }

        var ordered = query.OrderBy(t => t.DueDate).ThenBy(t => t.ControlId);
        var total = await ordered.CountAsync(cancellationToken);
        var narrowed = filter.IsAll ? "" : $" ({filter.Describe()})";
        if (total == 0)
        {
            var none = filter.IsAll ? "You have no open control tasks right now. Nice work!" : $"You have no open control tasks{narrowed} right now.";
            return new Reply(none) { Title = "My tasks", UpdatesSource = source is not null, Actions = filter.IsAll ? [] : [new ReplyAction(ListAction, "All my tasks")] };
        }

        var tasks = await ordered.Skip((page - 1) * PageSize).Take(PageSize).Include(t => t.Control).ToListAsync(cancellationToken);
        var overdue = await ordered.CountAsync(t => t.DueDate < today, cancellationToken);
        var summary = overdue > 0 && !filter.OverdueOnly ? $"You have {total} open task(s){narrowed}, {overdue} overdue." : $"You have {total} open task(s){narrowed}.";
        var pages = (total + PageSize - 1) / PageSize;
        var next = filter.ToData();
        next["page"] = (page + 1).ToString(CultureInfo.InvariantCulture);
        return new Reply(pages > 1 ? $"{summary} Page {page} of {pages}." : summary)
        {
            Title = "My tasks",
            Items = [.. tasks.Select(t => Describe(t, today))],
            Actions = page < pages ? [new ReplyAction(ListAction, "Next page", next)] : [],
            UpdatesSource = source?.Id == ListAction && page > 1,
        };
    }

    /// <summary>Reads are authorised like writes: the assignee and their delegates, their manager, the control owner, compliance admins and auditors.</summary>
    private async Task<bool> MayViewAsync(ControlTask task, Controls.Control control, People.Person person, CancellationToken cancellationToken) =>
        person.Id == task.AssigneeId || person.Id == control.OwnerId || person.Id == task.Assignee?.ManagerId
        || person.Has(People.PersonRoles.ComplianceAdmin) || person.Has(People.PersonRoles.Auditor)
        || await db.Set<Attestations.Delegation>().AnyAsync(d => d.PersonId == task.AssigneeId && d.DelegateId == person.Id, cancellationToken);

    public static string DueText(ControlTask task, DateOnly today)
    {
        var due = task.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
        var days = task.DueDate.DayNumber - today.DayNumber;
        return days switch
        {
            < 0 => $"OVERDUE by {-days} day{(days == -1 ? "" : "s")} (was due {due})",
            0 => $"due today ({due})",
            1 => $"due tomorrow ({due})",
            _ => $"due {due} (in {days} days)",
        };
    }

    private ReplyItem Describe(ControlTask task, DateOnly today) => new($"{task.ControlId} {task.Control!.Title} — {task.Period}, {DueText(task, today)}{OpensText(task, today)}")
    {
        Actions = [.. taskActions.SelectMany(a => a.For(task)), new ReplyAction(DetailsAction, "Details", Data(("task", task.Id)))],
    };

    /// <summary>", attestable from 16 Dec" while the occurrence's attestation window has not opened.</summary>
    private string OpensText(ControlTask task, DateOnly today) =>
        windows.Value.OpensOn(task, task.Control!) is var opens && opens > today ? $", attestable from {opens.ToString("d MMM", CultureInfo.InvariantCulture)}" : "";

    private async Task<Reply> DetailsAsync(int taskId, People.Person person, CancellationToken cancellationToken)
    {
        var task = await db.ControlTasks.Include(t => t.Control).ThenInclude(c => c!.Owner).Include(t => t.Assignee)
            .SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task?.Control is not { } control || !await MayViewAsync(task, control, person, cancellationToken))
        {
            return new Reply("I couldn't find that task any more.");
        }

        return new Reply(control.Description)
        {
            Title = $"{control.Id} {control.Title} — {task.Period}",
            Fields =
            [
                new("Criteria", string.Join(", ", control.Criteria)),
                new("Frequency", control.Frequency.ToString().ToLowerInvariant()),
                new("Due", DueText(task, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))),
                new("Assignee", task.Assignee?.Name ?? "?"),
                new("Status", task.StatusLabel + (task.DaysLate is { } late ? $" ({late} day(s) late)" : "") + (task.Reason is { } reason ? $" — {reason}" : "")),
                new("Attestable from", windows.Value.OpensOn(task, control).ToString("d MMM yyyy", CultureInfo.InvariantCulture)),
                new("Evidence expected", control.EvidenceRequirements.Count == 0 ? "—" : string.Join("; ", control.EvidenceRequirements)),
                new("Statement", control.StatementFor(task.Period)),
            ],
            Actions = [.. taskActions.SelectMany(a => a.For(task))],
        };
    }

    private DateOnly Today(People.Person person) => DateOnly.FromDateTime(person.LocalTime(clock.GetUtcNow()).DateTime);

    internal static Dictionary<string, string> Data(params (string Key, object Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "");
}
