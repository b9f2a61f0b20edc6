using System.Globalization;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Attestations;

/// <summary>"attest": the attestation form for a task, pre-filled with the control's statement, and its submission.</summary>
public sealed class AttestationFlow(ComplianceDbContext db, Attestor attestor, IEnumerable<ITaskAttestationPolicy> policies, TimeProvider clock) : IFlow
{
    public const string FlowName = "attest";
    public const string StartAction = "attest.start";
    public const string SubmitAction = "attest.submit";

    /// <summary>Form data: the attestation the form was opened against ("none" for a first one), see <see cref="AttestationRequest.Supersedes"/>.</summary>
    public const string SupersedesKey = "supersedes";

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["attest", "attestation", "sign off"];

    public static ReplyAction Button(ControlTask task) =>
        new(StartAction, task.IsOpen ? "Attest" : "Correct attestation", MyTasksFlow.Data(("task", task.Id)), task.IsOpen ? ActionStyle.Primary : ActionStyle.Default);

    public static IReadOnlyList<ChoiceOption> Outcomes { get; } =
    [
        new(nameof(AttestationOutcome.Performed), "Performed as described"),
        new(nameof(AttestationOutcome.PerformedWithExceptions), "Performed with exceptions"),
        new(nameof(AttestationOutcome.NotPerformed), "Not performed"),
    ];

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        var taskId = int.TryParse(context.Action?.Get("task"), CultureInfo.InvariantCulture, out var id) ? id : (int?)null;
        if (taskId is null)
        {
            return [await ChooseTaskAsync(person, cancellationToken)];
        }

        var task = await db.ControlTasks.Include(t => t.Control).Include(t => t.Assignee).SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task?.Control is not { } control)
        {
            return [new Reply("I couldn't find that task any more.")];
        }

        if (!await attestor.MayActForAsync(person, task, cancellationToken))
        {
            return [new Reply(await attestor.RefuseAsync(person, task, "attest", cancellationToken)) { Title = "Not your task" }];
        }

        if (control.EvidencedBy is { } flow)
        {
            return [policies.FirstOrDefault(p => p.Flow == flow) is { } policy
                ? await policy.RedirectAsync(task, cancellationToken)
                : new Reply(attestor.WhyNot(task, null)!) { Title = "Attested through another workflow" }];
        }

        if (attestor.WhyNot(task, null) is { } refusal)
        {
            return [new Reply(refusal) { Title = task.IsOpen ? "Not open for attestation yet" : "Nothing to attest", Actions = [new ReplyAction(MyTasksFlow.ListAction, "My tasks")] }];
        }

        if (context.Action!.Id != SubmitAction)
        {
            var statement = control.StatementFor(task.Period);
            var current = await attestor.CurrentAsync(task.Id, cancellationToken);
            var late = task.IsOpen && Attestor.AssigneeToday(task, clock.GetUtcNow()) is var today && today > task.DueDate
                ? $" It was due {task.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}, so it will be recorded as {today.DayNumber - task.DueDate.DayNumber} day(s) late."
                : "";
            return [new Reply($"Please confirm what happened for {control.Id} {control.Title} in {task.Period}. Edit the statement if it does not match exactly what you did.{late}")
            {
                Title = task.IsOpen ? "Attest" : "Correct the attestation",
                Form = Form(task, current?.Id.ToString(CultureInfo.InvariantCulture) ?? NoAttestation, statement, null, null, null, new Dictionary<string, string>()),
            }];
        }

        var outcome = Enum.TryParse<AttestationOutcome>(context.Action.Get(Attestor.OutcomeInput), ignoreCase: true, out var parsed) ? parsed : (AttestationOutcome?)null;
        var statementText = context.Action.Get(Attestor.StatementInput) ?? "";
        var notes = context.Action.Get(Attestor.NotesInput);
        var evidence = context.Action.Get(Attestor.EvidenceInput);
        var supersedes = context.Action.Get(SupersedesKey);
        if (outcome is null)
        {
            return [InvalidForm(task, supersedes, statementText, null, notes, evidence, new Dictionary<string, string> { [Attestor.OutcomeInput] = "Please choose what happened." })];
        }

        var request = new AttestationRequest(task.Id, outcome.Value, statementText, notes, evidence, context.Turn.From.Channel, context.Turn.Source, Supersedes(supersedes));
        var result = await attestor.AttestAsync(person, request, cancellationToken);
        return result switch
        {
            AttestationResult.Recorded recorded => [Outcome(recorded.Attestation, recorded.Task, recorded.IsCorrection
                ? $"Correction recorded: {task.ControlId} for {task.Period} is now \"{Label(recorded.Attestation)}\". The earlier attestation is kept and marked as superseded."
                : $"Thank you — recorded: {task.ControlId} for {task.Period} \"{Label(recorded.Attestation)}\".")],
            AttestationResult.AlreadyRecorded already => [Outcome(already.Attestation, already.Task,
                $"This is already recorded: {task.ControlId} for {task.Period} is \"{Label(already.Attestation)}\", as you submitted it. Nothing new was added.")],
            AttestationResult.Invalid invalid => [InvalidForm(task, supersedes, statementText, outcome, notes, evidence, invalid.Errors)],
            AttestationResult.Refused refused => [new Reply(refused.Message)],
            AttestationResult.Conflict => [new Reply("This task's attestation was changed after you opened the form, so I didn't record yours. Open the task again to see its current state.")],
            _ => [new Reply("I couldn't find that task any more.")],
        };
    }

    private const string NoAttestation = "none";

    /// <summary>The form's "supersedes" value: an attestation id, "none" (0: the first), or null for a form from before it was carried.</summary>
    private static int? Supersedes(string? value) =>
        value == NoAttestation ? 0 : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private static Reply InvalidForm(ControlTask task, string? supersedes, string statement, AttestationOutcome? outcome, string? notes, string? evidence, IReadOnlyDictionary<string, string> errors) =>
        new("Please fix the highlighted fields.")
        {
            Title = "Attest",
            Form = Form(task, supersedes, statement, outcome, notes, evidence, errors),
        };

    private static ReplyForm Form(ControlTask task, string? supersedes, string statement, AttestationOutcome? outcome, string? notes, string? evidence, IReadOnlyDictionary<string, string> errors) =>
        new($"{task.ControlId} — {task.Period}", SubmitAction, "Record attestation",
        [
            new ReplyInput(Attestor.StatementInput, "Statement", InputKind.MultilineText) { Required = true, Value = statement },
            new ReplyInput(Attestor.OutcomeInput, "Outcome", InputKind.Choice) { Required = true, Options = Outcomes, Value = outcome?.ToString() },
            new ReplyInput(Attestor.NotesInput, "Notes (required for exceptions and not performed)", InputKind.MultilineText) { Value = notes },
            new ReplyInput(Attestor.EvidenceInput, "Evidence link or reference (optional; you can also drop files in this chat)") { Value = evidence },
        ])
        {
            Data = supersedes is null ? MyTasksFlow.Data(("task", task.Id)) : MyTasksFlow.Data(("task", task.Id), (SupersedesKey, supersedes)),
            Errors = errors,
        };

    private static string Label(Attestation attestation) => Outcomes.First(o => o.Value == attestation.Outcome.ToString()).Label;

    private static Reply Outcome(Attestation attestation, ControlTask task, string text)
    {
        var label = Label(attestation);
        var when = attestation.AttestedAt.UtcDateTime.ToString("d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return new Reply(text)
        {
            Title = $"{task.ControlId} {task.Control!.Title} — {task.Period}",
            Fields =
            [
                new("Outcome", label),
                new("Attested", $"{when} by {attestation.AttestedBy?.Name ?? task.Assignee?.Name}"),
                new("Statement", attestation.Statement),
                .. attestation.Notes is { } notes ? [new ReplyField("Notes", notes)] : Array.Empty<ReplyField>(),
                new("Record hash", attestation.ContentHash[..16]),
            ],
            Actions = [Button(task)],
            UpdatesSource = true,
        };
    }

    /// <summary>The person's occurrences open for attestation now (never one whose window has not opened), soonest due first.</summary>
    private async Task<Reply> ChooseTaskAsync(Person person, CancellationToken cancellationToken)
    {
        // Occurrences whose period has started are few per person (current ones plus any missed), so the window is checked in memory.
        var horizon = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1);
        var waiting = await db.ControlTasks.Include(t => t.Control).Include(t => t.Assignee)
            .Where(t => t.AssigneeId == person.Id && ControlTask.AwaitingStatuses.Contains(t.Status) && t.PeriodStart <= horizon)
            .OrderBy(t => t.DueDate).ThenBy(t => t.ControlId).ToListAsync(cancellationToken);
        var ready = waiting.Where(t => t.Control!.EvidencedBy is null && attestor.WhyNot(t, null) is null).ToList();
        var later = waiting.Where(t => t.Control!.EvidencedBy is null && !ready.Contains(t)).Select(t => (Task: t, Opens: attestor.OpensOn(t))).MinBy(t => t.Opens);
        var laterText = later.Task is { } next
            ? $" The next one, {next.ControlId} for {next.Period}, opens for attestation on {later.Opens.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}."
            : "";
        return ready.Count == 0
            ? new Reply("You have no tasks open for attestation right now." + laterText)
            : new Reply("Which task do you want to attest?" + laterText)
            {
                Title = "Attest",
                Items = [.. ready.Take(MyTasksFlow.PageSize).Select(t => new ReplyItem($"{t.ControlId} {t.Control!.Title} — {t.Period}, {(t.Status == ControlTaskStatus.Missed ? "missed, " : "")}due {t.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}") { Actions = [Button(t)] })],
            };
    }
}

/// <summary>The "Attest" button on every task in lists and reminders.</summary>
internal sealed class AttestationTaskActions : ITaskActions
{
    public IEnumerable<ReplyAction> For(ControlTask task) => task.Status is ControlTaskStatus.NotApplicable or ControlTaskStatus.Retired ? [] : [AttestationFlow.Button(task)];
}
