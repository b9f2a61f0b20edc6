using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Attestations;

/// <summary>What a person confirmed about a task, and where they did it.</summary>
/// <param name="Supersedes">
/// The task's attestation when the form was opened (0: it had none): the submission corrects that one. A submission
/// made against an attestation that has since been superseded is refused rather than silently undoing the later one.
/// Null when the caller does not know (no form).
/// </param>
/// <param name="ThroughFlow">The workflow recording this attestation (e.g. the access review's sign-off); null for the plain form.</param>
public sealed record AttestationRequest(int TaskId, AttestationOutcome Outcome, string Statement, string? Notes, string? EvidenceReference, ChannelKind Channel, MessageRef? Source, int? Supersedes = null, string? ThroughFlow = null);

public abstract record AttestationResult
{
    public sealed record Recorded(Attestation Attestation, ControlTask Task, bool IsCorrection) : AttestationResult;

    /// <summary>The task's current attestation already states exactly this (a redelivered or repeated submission); nothing was written.</summary>
    public sealed record AlreadyRecorded(Attestation Attestation, ControlTask Task) : AttestationResult;

    public sealed record Refused(string Message) : AttestationResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string> Errors) : AttestationResult;

    public sealed record NotFound : AttestationResult;

    /// <summary>The task's attestation changed after the form was opened (or at the same moment) to something else; nothing was written.</summary>
    public sealed record Conflict : AttestationResult;
}

/// <summary>
/// Records attestations: checks who may attest, writes the immutable record, moves the task and appends the audit event.
/// Access reviews use it for their completion attestation.
/// </summary>
/// <remarks>
/// Idempotent on redelivery without remembering deliveries: a submission the current attestation already states is
/// answered "already recorded"; one made against an older attestation is refused; and when two copies race (two hosts),
/// the unique indexes (one first attestation per task, each record superseded at most once) let exactly one in.
/// </remarks>
public sealed class Attestor(ComplianceDbContext db, AuditTrail audit, TimeProvider clock, IOptions<AttestationWindowOptions> windows)
{
    public const string StatementInput = "statement";
    public const string OutcomeInput = "outcome";
    public const string NotesInput = "notes";
    public const string EvidenceInput = "evidence";

    /// <summary>The assignee, or someone the assignee has delegated to (delegation not expired).</summary>
    public async Task<bool> MayActForAsync(Person person, ControlTask task, CancellationToken cancellationToken)
    {
        if (person.Id == task.AssigneeId)
        {
            return true;
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return await db.Set<Delegation>().AnyAsync(d => d.PersonId == task.AssigneeId && d.DelegateId == person.Id && (d.Until == null || d.Until >= today), cancellationToken);
    }

    /// <summary>Logs a refused attempt (an auditor wants to see those too) and returns the message to show.</summary>
    public async Task<string> RefuseAsync(Person person, ControlTask task, string what, CancellationToken cancellationToken)
    {
        audit.Record(person.Email, "task.refused", $"task:{task.Id}", new() { ["control"] = task.ControlId, ["period"] = task.Period, ["attempted"] = what, ["assignee"] = task.AssigneeId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await db.SaveChangesAsync(cancellationToken);
        var assignee = task.Assignee?.Name ?? "its assignee";
        return $"Only {assignee} (or someone they have delegated to) can {what} {task.ControlId} for {task.Period}. I've noted the attempt. If this task should be yours, ask {assignee} to press \"Not mine\" on their reminder.";
    }

    public async Task<AttestationResult> AttestAsync(Person person, AttestationRequest request, CancellationToken cancellationToken)
    {
        var task = await db.ControlTasks.Include(t => t.Control).Include(t => t.Assignee).SingleOrDefaultAsync(t => t.Id == request.TaskId, cancellationToken);
        if (task?.Control is null)
        {
            return new AttestationResult.NotFound();
        }

        if (!await MayActForAsync(person, task, cancellationToken))
        {
            return new AttestationResult.Refused(await RefuseAsync(person, task, "attest", cancellationToken));
        }

        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return new AttestationResult.Invalid(errors);
        }

        if (WhyNot(task, request.ThroughFlow) is { } refusal)
        {
            return new AttestationResult.Refused(refusal);
        }

        var previous = await CurrentAsync(task.Id, cancellationToken);
        if (previous is not null && previous.States(request.Outcome, request.Statement, request.Notes, request.EvidenceReference))
        {
            return new AttestationResult.AlreadyRecorded(previous, task);
        }

        if (request.Supersedes is { } seen && seen != (previous?.Id ?? 0))
        {
            return new AttestationResult.Conflict();
        }

        var now = clock.GetUtcNow();
        var attestation = Attestation.Create(task, person, now, request.Channel, Describe(request.Source), request.Statement, request.Outcome,
            request.Notes, request.EvidenceReference, previous?.Id);
        db.Attestations.Add(attestation);
        if (task.IsOpen || task.Status != attestation.TaskStatus)
        {
            task.RecordOutcome(attestation.TaskStatus, now, AssigneeToday(task, now));
        }

        audit.Record(person.Email, previous is null ? "attestation.recorded" : "attestation.corrected", $"task:{task.Id}", new()
        {
            ["control"] = task.ControlId,
            ["period"] = task.Period,
            ["outcome"] = request.Outcome.ToString(),
            ["contentHash"] = attestation.ContentHash,
            ["supersedes"] = previous?.ContentHash,
            ["channel"] = request.Channel.ToString(),
            ["onBehalfOf"] = person.Id == task.AssigneeId ? null : task.Assignee?.Email,
            ["daysLate"] = previous is null && task.DaysLate is { } late ? late.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            ["through"] = request.ThroughFlow,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.IsUniqueViolation())
        {
            // Another record got in first: a copy of this very submission (redelivered to another host), or someone else's.
            db.ChangeTracker.Clear();
            var winner = await CurrentAsync(task.Id, cancellationToken);
            return winner is not null && winner.States(request.Outcome, request.Statement, request.Notes, request.EvidenceReference)
                ? new AttestationResult.AlreadyRecorded(winner, task)
                : new AttestationResult.Conflict();
        }

        return new AttestationResult.Recorded(attestation, task, previous is not null);
    }

    /// <summary>
    /// Why the occurrence cannot take this attestation now, or null when it can: closed without an outcome, evidenced by
    /// a workflow other than the one attesting, or (for a first attestation) before its window opens. A workflow's own
    /// sign-off only has to wait for the period to start.
    /// </summary>
    public string? WhyNot(ControlTask task, string? throughFlow)
    {
        var control = task.Control!;
        if (task.Status is ControlTaskStatus.NotApplicable or ControlTaskStatus.Retired)
        {
            return $"{task.ControlId} for {task.Period} is {task.StatusLabel.ToLowerInvariant()}{(task.Reason is { } reason ? $" ({reason})" : "")}, so there is nothing to attest.";
        }

        if (!control.AcceptsAttestationThrough(throughFlow))
        {
            return control.EvidencedBy is { } flow
                ? $"{control.Id} is evidenced by the {FlowName(flow)}{(control.SystemName is { } system ? $" of {system}" : "")}: it is attested by finishing that, not through the attestation form."
                : $"{control.Id} is attested through the attestation form.";
        }

        if (!task.IsOpen)
        {
            return null;
        }

        var opens = throughFlow is null ? windows.Value.OpensOn(task, control) : task.PeriodStart;
        var today = AssigneeToday(task, clock.GetUtcNow());
        return today >= opens ? null
            : $"{task.ControlId} for {task.Period} opens for attestation on {opens.ToString("ddd d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture)}" +
              (opens == task.PeriodStart ? ", when its period starts." : $", {(task.PeriodEnd.DayNumber - opens.DayNumber) + 1} days before its period ends.") +
              " An attestation made before then would be an audit exception, so nothing was recorded.";
    }

    /// <summary>The first day the form accepts an attestation of this occurrence.</summary>
    public DateOnly OpensOn(ControlTask task) => windows.Value.OpensOn(task, task.Control!);

    /// <summary>Today in the assignee's calendar: windows, due dates and lateness are all counted there.</summary>
    public static DateOnly AssigneeToday(ControlTask task, DateTimeOffset now) =>
        DateOnly.FromDateTime((task.Assignee is { } assignee ? assignee.LocalTime(now) : now).DateTime);

    public static string FlowName(string flow) => flow == Controls.EvidenceFlows.AccessReview ? "access review" : flow.Replace('_', ' ');

    /// <summary>The attestation of a task that no later one supersedes.</summary>
    public Task<Attestation?> CurrentAsync(int taskId, CancellationToken cancellationToken) =>
        db.Attestations.Include(a => a.AttestedBy).Where(a => a.TaskId == taskId && !db.Attestations.Any(later => later.SupersedesId == a.Id))
            .OrderByDescending(a => a.Id).FirstOrDefaultAsync(cancellationToken);

    public static Dictionary<string, string> Validate(AttestationRequest request)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(request.Statement))
        {
            errors[StatementInput] = "The statement can't be empty: it is what you confirm.";
        }

        if (Attestation.NotesRequired(request.Outcome) && string.IsNullOrWhiteSpace(request.Notes))
        {
            errors[NotesInput] = request.Outcome == AttestationOutcome.NotPerformed
                ? "Please say why the control was not performed."
                : "Please describe the exceptions.";
        }

        return errors;
    }

    public static string? Describe(MessageRef? source) => source is null ? null : $"{source.Channel}:{source.ConversationId}:{source.MessageId}";
}
