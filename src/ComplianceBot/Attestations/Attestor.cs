using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Attestations;

/// <summary>What a person confirmed about a task, and where they did it.</summary>
public sealed record AttestationRequest(int TaskId, AttestationOutcome Outcome, string Statement, string? Notes, string? EvidenceReference, ChannelKind Channel, MessageRef? Source);

public abstract record AttestationResult
{
    public sealed record Recorded(Attestation Attestation, ControlTask Task, bool IsCorrection) : AttestationResult;

    public sealed record Refused(string Message) : AttestationResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string> Errors) : AttestationResult;

    public sealed record NotFound : AttestationResult;

    /// <summary>Someone else recorded a change to the task at the same moment; nothing was written.</summary>
    public sealed record Conflict : AttestationResult;
}

/// <summary>
/// Records attestations: checks who may attest, writes the immutable record, moves the task and appends the audit event.
/// Access reviews use it for their completion attestation.
/// </summary>
public sealed class Attestor(ComplianceDbContext db, AuditTrail audit, TimeProvider clock)
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

        if (task.Status == ControlTaskStatus.Cancelled)
        {
            return new AttestationResult.Refused($"{task.ControlId} for {task.Period} was cancelled, so there is nothing to attest.");
        }

        var previous = await CurrentAsync(task.Id, cancellationToken);
        var now = clock.GetUtcNow();
        var attestation = Attestation.Create(task, person, now, request.Channel, Describe(request.Source), request.Statement, request.Outcome,
            request.Notes, request.EvidenceReference, previous?.Id);
        db.Attestations.Add(attestation);
        if (task.Status != attestation.TaskStatus)
        {
            task.MoveTo(attestation.TaskStatus, now);
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
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return new AttestationResult.Conflict();
        }

        return new AttestationResult.Recorded(attestation, task, previous is not null);
    }

    /// <summary>The attestation of a task that no later one supersedes.</summary>
    public Task<Attestation?> CurrentAsync(int taskId, CancellationToken cancellationToken) =>
        db.Attestations.Where(a => a.TaskId == taskId && !db.Attestations.Any(later => later.SupersedesId == a.Id))
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
