using System.Globalization;
using ComplianceBot.Attestations;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Evidence;

/// <summary>Files received in this conversation and not yet attached; only these may be attached (never an arbitrary hash).</summary>
public sealed record EvidenceState(int? TaskId, List<PendingFile> Files);

public sealed record PendingFile(string Sha256, string Name, string? ContentType, long Length);

/// <summary>
/// Evidence dropped in the chat: stored on arrival (hashed, checked), then attached to a task after the person confirms
/// which one — straight away when they have exactly one open task or came from that task's "Upload evidence" button.
/// </summary>
public sealed class EvidenceFlow(ComplianceDbContext db, EvidenceIntake intake, Attestor attestor, AuditTrail audit, TimeProvider clock) : IFileFlow
{
    public const string FlowName = "evidence";
    public const string UploadAction = "evidence.upload";
    public const string AttachAction = "evidence.attach";
    public const string CancelAction = "evidence.cancel";
    public const string TaskInput = "task";
    public const string ExpiresInput = "expires";

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["evidence", "upload", "upload evidence"];

    public static ReplyAction Button(ControlTask task) => new(UploadAction, "Upload evidence", MyTasksFlow.Data(("task", task.Id)));

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        var state = context.GetState<EvidenceState>(FlowName) ?? new EvidenceState(null, []);
        if (context.Turn.Files.Count > 0)
        {
            return [await ReceiveAsync(context, person, state, cancellationToken)];
        }

        switch (context.Action?.Id)
        {
            case AttachAction:
                return [await AttachAsync(context, person, state, cancellationToken)];
            case CancelAction:
                context.ClearState();
                return [new Reply("OK, nothing was attached.") { UpdatesSource = true }];
            case UploadAction when int.TryParse(context.Action.Get("task"), CultureInfo.InvariantCulture, out var taskId):
                var task = await LoadTaskAsync(taskId, cancellationToken);
                if (task is null)
                {
                    return [new Reply("I couldn't find that task any more.")];
                }

                if (!await attestor.MayActForAsync(person, task, cancellationToken))
                {
                    return [new Reply(await attestor.RefuseAsync(person, task, "upload evidence for", cancellationToken)) { Title = "Not your task" }];
                }

                context.SetState(FlowName, state with { TaskId = task.Id });
                return [new Reply($"Drop the evidence file(s) for {task.ControlId} {task.Control!.Title} ({task.Period}) here in this chat. " +
                    $"Accepted: {string.Join(", ", intake.Options.EffectiveExtensions)}, up to {intake.Options.MaxBytes / (1024 * 1024)} MB each.")
                {
                    Title = "Upload evidence",
                    Fields = task.Control.EvidenceRequirements.Count == 0 ? [] : [new("Expected", string.Join("; ", task.Control.EvidenceRequirements))],
                }];
            default:
                return [new Reply("To add evidence, drop the file here in this chat (in the web chat, use the attach button). I'll ask which task it belongs to.")];
        }
    }

    private async Task<Reply> ReceiveAsync(FlowContext context, Person person, EvidenceState state, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var files = new List<PendingFile>(state.Files);
        var known = true;
        foreach (var file in context.Turn.Files)
        {
            switch (await intake.AcceptAsync(file.Name, file.ContentType, file.Length, file.OpenAsync, cancellationToken))
            {
                case IntakeResult.Accepted accepted:
                    known &= files.RemoveAll(f => f.Sha256 == accepted.File.Sha256) > 0;
                    files.Add(new PendingFile(accepted.File.Sha256, accepted.FileName, accepted.ContentType, accepted.File.Length));
                    break;
                case IntakeResult.Rejected rejected:
                    known = false;
                    problems.Add(rejected.Message);
                    audit.Record(person.Email, "evidence.rejected", $"person:{person.Id}", new() { ["file"] = file.Name, ["reason"] = rejected.Message });
                    break;
            }
        }

        if (files.Count == 0)
        {
            context.ClearState();
            return new Reply(string.Join("\n", problems)) { Title = "File not accepted" };
        }

        var tasks = await CandidateTasksAsync(person, state.TaskId, cancellationToken);
        if (tasks.Count == 0)
        {
            context.ClearState();
            return new Reply("You have no open tasks to attach evidence to right now, so I didn't keep the file. " +
                "If it belongs to someone else's task, ask them to upload it, or ask the compliance team.");
        }

        // Keep only the newest few so a long session cannot grow the state without bound.
        context.SetState(FlowName, new EvidenceState(state.TaskId, [.. files.TakeLast(10)]));
        var names = string.Join(", ", files.Select(f => $"{f.Name} ({Size(f.Length)}, SHA-256 {f.Sha256[..12]}…)"));
        var single = tasks.Count == 1 ? tasks[0] : null;
        // Every file was already waiting here: the same message again (a redelivery, possibly to another host) or a re-send.
        var received = known ? $"I already have {names} waiting" : $"I received {names}";
        var question = single is null
            ? $"{received}. Which task is it evidence for?"
            : $"{received}. Attach it to {single.ControlId} {single.Control!.Title} ({single.Period})?";
        return new Reply(problems.Count == 0 ? question : question + "\n" + string.Join("\n", problems))
        {
            Title = "Attach evidence",
            Form = new ReplyForm("Attach evidence", AttachAction, single is null ? "Attach" : "Yes, attach",
            [
                new ReplyInput(TaskInput, "Task", InputKind.Choice)
                {
                    Required = true,
                    Value = single?.Id.ToString(CultureInfo.InvariantCulture),
                    Options = [.. tasks.Select(t => new ChoiceOption(t.Id.ToString(CultureInfo.InvariantCulture), $"{t.ControlId} {t.Control!.Title} — {t.Period}"))],
                },
                new ReplyInput(ExpiresInput, "Expires on (optional, YYYY-MM-DD)") { Placeholder = "2027-06-30" },
            ])
            {
                Data = new Dictionary<string, string> { ["files"] = string.Join(",", files.Select(f => f.Sha256)) },
            },
            Actions = [new ReplyAction(CancelAction, "Cancel")],
        };
    }

    private async Task<Reply> AttachAsync(FlowContext context, Person person, EvidenceState state, CancellationToken cancellationToken)
    {
        var action = context.Action!;
        var wanted = (action.Get("files") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var files = state.Files.Where(f => wanted.Contains(f.Sha256)).ToList();
        if (files.Count == 0)
        {
            return await AlreadyAttachedAsync(person, wanted, action, cancellationToken)
                ?? new Reply("I no longer have those files waiting here. Please drop them in the chat again.");
        }

        var errors = new Dictionary<string, string>();
        var task = int.TryParse(action.Get(TaskInput), CultureInfo.InvariantCulture, out var taskId) ? await LoadTaskAsync(taskId, cancellationToken) : null;
        if (task is null)
        {
            errors[TaskInput] = "Please choose the task this evidence is for.";
        }

        DateOnly? expires = null;
        if (action.Get(ExpiresInput) is { } expiresText)
        {
            if (DateOnly.TryParseExact(expiresText.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) && parsed > Today())
            {
                expires = parsed;
            }
            else
            {
                errors[ExpiresInput] = "Use a future date written as YYYY-MM-DD, or leave it empty.";
            }
        }

        if (errors.Count > 0)
        {
            return new Reply("Please fix the highlighted fields.")
            {
                Title = "Attach evidence",
                Form = new ReplyForm("Attach evidence", AttachAction, "Attach",
                [
                    new ReplyInput(TaskInput, "Task", InputKind.Choice)
                    {
                        Required = true,
                        Value = action.Get(TaskInput),
                        Options = [.. (await CandidateTasksAsync(person, state.TaskId, cancellationToken)).Select(t => new ChoiceOption(t.Id.ToString(CultureInfo.InvariantCulture), $"{t.ControlId} {t.Control!.Title} — {t.Period}"))],
                    },
                    new ReplyInput(ExpiresInput, "Expires on (optional, YYYY-MM-DD)") { Value = action.Get(ExpiresInput) },
                ])
                {
                    Data = new Dictionary<string, string> { ["files"] = string.Join(",", files.Select(f => f.Sha256)) },
                    Errors = errors,
                },
            };
        }

        if (!await attestor.MayActForAsync(person, task!, cancellationToken))
        {
            return new Reply(await attestor.RefuseAsync(person, task!, "upload evidence for", cancellationToken)) { Title = "Not your task" };
        }

        var lines = new List<string>();
        var existing = await db.EvidenceItems.Where(e => e.TaskId == task!.Id && files.Select(f => f.Sha256).Contains(e.Sha256))
            .Include(e => e.UploadedBy).ToDictionaryAsync(e => e.Sha256, cancellationToken);
        foreach (var file in files)
        {
            if (existing.TryGetValue(file.Sha256, out var duplicate))
            {
                lines.Add($"{file.Name}: already attached on {duplicate.UploadedAt:d MMM yyyy} by {duplicate.UploadedBy?.Name} (same SHA-256), so I kept the existing copy.");
                continue;
            }

            db.EvidenceItems.Add(new EvidenceItem
            {
                TaskId = task!.Id,
                UploadedById = person.Id,
                UploadedAt = clock.GetUtcNow(),
                Channel = context.Turn.From.Channel,
                FileName = file.Name,
                ContentType = file.ContentType,
                Length = file.Length,
                Sha256 = file.Sha256,
                ExpiresOn = expires,
            });
            audit.Record(person.Email, "evidence.attached", $"task:{task.Id}", new()
            {
                ["control"] = task.ControlId,
                ["period"] = task.Period,
                ["file"] = file.Name,
                ["sha256"] = file.Sha256,
                ["length"] = file.Length.ToString(CultureInfo.InvariantCulture),
                ["expires"] = expires?.ToString("O"),
            });
            lines.Add($"{file.Name}: attached (SHA-256 {file.Sha256}).");
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return new Reply($"{string.Join(", ", files.Select(f => f.Name))}: already attached to this task at the same moment from elsewhere (the same click arriving twice, or another chat); it is there once.")
            {
                Title = $"Evidence for {task!.ControlId} — {task.Period}",
                UpdatesSource = true,
            };
        }

        context.ClearState();
        return new Reply(string.Join("\n", lines))
        {
            Title = $"Evidence for {task!.ControlId} — {task.Period}",
            Actions = task.IsOpen ? [AttestationFlow.Button(task)] : [],
            UpdatesSource = true,
        };
    }

    /// <summary>
    /// The attach click again after it was done (a double click, or the channel redelivering it, possibly to another
    /// host): the files are no longer waiting because they are attached. Null when they are not all attached to that task.
    /// </summary>
    private async Task<Reply?> AlreadyAttachedAsync(Person person, HashSet<string> wanted, TurnAction action, CancellationToken cancellationToken)
    {
        if (wanted.Count == 0 || !int.TryParse(action.Get(TaskInput), CultureInfo.InvariantCulture, out var taskId) ||
            await LoadTaskAsync(taskId, cancellationToken) is not { } task || !await attestor.MayActForAsync(person, task, cancellationToken))
        {
            return null;
        }

        var attached = await db.EvidenceItems.AsNoTracking().Include(e => e.UploadedBy)
            .Where(e => e.TaskId == task.Id && wanted.Contains(e.Sha256)).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        if (attached.Count < wanted.Count)
        {
            return null;
        }

        return new Reply(string.Join("\n", attached.Select(e => $"{e.FileName}: already attached on {e.UploadedAt:d MMM yyyy} by {e.UploadedBy?.Name} (SHA-256 {e.Sha256}); nothing new was added.")))
        {
            Title = $"Evidence for {task.ControlId} — {task.Period}",
            Actions = task.IsOpen ? [AttestationFlow.Button(task)] : [],
            UpdatesSource = true,
        };
    }

    private async Task<List<ControlTask>> CandidateTasksAsync(Person person, int? preselected, CancellationToken cancellationToken)
    {
        if (preselected is { } id && await LoadTaskAsync(id, cancellationToken) is { } chosen && await attestor.MayActForAsync(person, chosen, cancellationToken))
        {
            return [chosen];
        }

        var today = Today();
        return await db.ControlTasks.Include(t => t.Control)
            .Where(t => t.AssigneeId == person.Id && ControlTask.AwaitingStatuses.Contains(t.Status) && t.PeriodStart <= today)
            .OrderBy(t => t.DueDate).ThenBy(t => t.ControlId).Take(25).ToListAsync(cancellationToken);
    }

    private Task<ControlTask?> LoadTaskAsync(int id, CancellationToken cancellationToken) =>
        db.ControlTasks.Include(t => t.Control).Include(t => t.Assignee).SingleOrDefaultAsync(t => t.Id == id, cancellationToken);

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes / (1024.0 * 1024):0.#} MB",
    };
}

/// <summary>The "Upload evidence" button on open tasks.</summary>
internal sealed class EvidenceTaskActions : ITaskActions
{
    public IEnumerable<ReplyAction> For(ControlTask task) => task.IsOpen ? [EvidenceFlow.Button(task)] : [];
}
