using System.Globalization;
using System.Text.Json;
using ComplianceBot.Attestations;
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Export;

/// <summary>
/// The core of the auditor export: tasks, attestations (CSV) and evidence files per control and per criterion,
/// plus the period's audit events as JSON lines. Rows are streamed from the database, never collected.
/// </summary>
internal sealed class ProgramExportContributor(ComplianceDbContext db, IEvidenceStore store) : IExportContributor
{
    public static readonly string[] TaskHeader = ["task_id", "control_id", "period", "period_start", "period_end", "due_date", "assignee", "status", "closed_at_utc"];

    public static readonly string[] AttestationHeader =
        ["attestation_id", "task_id", "control_id", "period", "attested_by", "attested_at_utc", "channel", "message_reference", "outcome", "notes",
         "evidence_reference", "statement", "supersedes_id", "superseded_by_id", "content_hash", "content_hash_valid"];

    public static readonly string[] EvidenceHeader = ["evidence_id", "task_id", "control_id", "period", "file_name", "archive_path", "bytes", "sha256", "uploaded_by", "uploaded_at_utc", "channel", "expires_on"];

    public int Order => 0;

    public async Task WriteAsync(ExportWriter export, CancellationToken cancellationToken)
    {
        var period = export.Period;
        var controls = await db.Controls.AsNoTracking()
            .Where(c => db.ControlTasks.Any(t => t.ControlId == c.Id && t.PeriodEnd >= period.Start && t.PeriodEnd <= period.End))
            .OrderBy(c => c.Id).ToListAsync(cancellationToken);

        // Corrections are rare, so the "superseded by" map stays small even for a large period.
        var periodTasks = TaskIds(period, null);
        var supersededBy = await db.Attestations.AsNoTracking().Where(a => a.SupersedesId != null && periodTasks.Contains(a.TaskId))
            .ToDictionaryAsync(a => a.SupersedesId!.Value, a => a.Id, cancellationToken);

        await export.AddTextAsync("README.txt", Readme(period, controls.Count), cancellationToken);
        await export.AddCsvAsync("tasks.csv", TaskHeader, Tasks(period, null).AsAsyncEnumerable(), TaskFields, cancellationToken);
        await export.AddCsvAsync("attestations.csv", AttestationHeader, Attestations(period, null).AsAsyncEnumerable(), a => AttestationFields(a, supersededBy), cancellationToken);
        await export.AddCsvAsync("evidence.csv", EvidenceHeader, Evidence(period, null).AsAsyncEnumerable(), EvidenceFields, cancellationToken);

        foreach (var control in controls)
        {
            var folder = $"controls/{ExportWriter.SafeName(control.Id)}";
            string[] ids = [control.Id];
            await export.AddTextAsync($"{folder}/control.json", JsonSerializer.Serialize(new
            {
                control.Id,
                control.Title,
                control.Description,
                Frequency = control.Frequency.ToString(),
                control.Criteria,
                control.EvidenceRequirements,
                StatementTemplate = control.AttestationTemplate,
                control.SystemName,
                control.EvidencedBy,
                control.Retired,
                RetiredAt = control.RetiredAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                control.RenamedFrom,
                control.RenamedTo,
            }, ExportWriter.Indented), cancellationToken);
            await export.AddCsvAsync($"{folder}/tasks.csv", TaskHeader, Tasks(period, ids).AsAsyncEnumerable(), TaskFields, cancellationToken);
            await export.AddCsvAsync($"{folder}/attestations.csv", AttestationHeader, Attestations(period, ids).AsAsyncEnumerable(), a => AttestationFields(a, supersededBy), cancellationToken);
            await foreach (var item in Evidence(period, ids).AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                var evidence = item.Item;
                await export.AddEvidenceAsync(EvidencePath(item.ControlId, item.Period, evidence.Sha256, evidence.FileName), evidence.Id, evidence.Sha256,
                    ct => store.OpenReadAsync(evidence.Sha256, ct), cancellationToken);
            }
        }

        foreach (var criterion in controls.SelectMany(c => c.Criteria).Distinct().Order(StringComparer.Ordinal))
        {
            var ids = controls.Where(c => c.Criteria.Contains(criterion)).Select(c => c.Id).ToArray();
            var folder = $"criteria/{ExportWriter.SafeName(criterion)}";
            await export.AddCsvAsync($"{folder}/tasks.csv", TaskHeader, Tasks(period, ids).AsAsyncEnumerable(), TaskFields, cancellationToken);
            await export.AddCsvAsync($"{folder}/attestations.csv", AttestationHeader, Attestations(period, ids).AsAsyncEnumerable(), a => AttestationFields(a, supersededBy), cancellationToken);
            await export.AddCsvAsync($"{folder}/evidence.csv", EvidenceHeader, Evidence(period, ids).AsAsyncEnumerable(), EvidenceFields, cancellationToken);
        }
    }

    public static string EvidencePath(EvidenceItem item) => EvidencePath(item.Task!.ControlId, item.Task.Period, item.Sha256, item.FileName);

    private static string EvidencePath(string controlId, string period, string sha256, string fileName) =>
        $"controls/{ExportWriter.SafeName(controlId)}/evidence/{ExportWriter.SafeName(period)}/{sha256[..12]}-{ExportWriter.SafeName(fileName)}";

    // Rows are projections of the columns a CSV line needs, not tracked-shape entities with their task and person:
    // every attestation is written about five times (all, its control, each of its criteria), and materialising whole
    // Task and Person entities for each was most of a large export's time and allocation (bench owner-loop).
    private sealed record TaskRow(Tasks.ControlTask Task, string? AssigneeEmail);

    private sealed record AttestationRow(Attestation Attestation, string ControlId, string Period, string? AttestedByEmail);

    private sealed record EvidenceRow(EvidenceItem Item, string ControlId, string Period, string? UploadedByEmail);

    private IQueryable<TaskRow> Tasks(ExportPeriod period, string[]? controlIds) =>
        InPeriod(db.ControlTasks.AsNoTracking(), period, controlIds).OrderBy(t => t.ControlId).ThenBy(t => t.PeriodStart)
            .Select(t => new TaskRow(t, t.Assignee!.Email));

    private IQueryable<AttestationRow> Attestations(ExportPeriod period, string[]? controlIds)
    {
        var tasks = TaskIds(period, controlIds);
        return db.Attestations.AsNoTracking()
            .Where(a => tasks.Contains(a.TaskId)).OrderBy(a => a.Task!.ControlId).ThenBy(a => a.TaskId).ThenBy(a => a.Id)
            .Select(a => new AttestationRow(a, a.Task!.ControlId, a.Task.Period, a.AttestedBy!.Email));
    }

    private IQueryable<EvidenceRow> Evidence(ExportPeriod period, string[]? controlIds)
    {
        var tasks = TaskIds(period, controlIds);
        return db.EvidenceItems.AsNoTracking()
            .Where(e => tasks.Contains(e.TaskId)).OrderBy(e => e.Task!.ControlId).ThenBy(e => e.TaskId).ThenBy(e => e.Id)
            .Select(e => new EvidenceRow(e, e.Task!.ControlId, e.Task.Period, e.UploadedBy!.Email));
    }

    /// <summary>The ids of the period's tasks, as a subquery of the row queries.</summary>
    private IQueryable<int> TaskIds(ExportPeriod period, string[]? controlIds) => InPeriod(db.ControlTasks, period, controlIds).Select(t => t.Id);

    private static IQueryable<Tasks.ControlTask> InPeriod(IQueryable<Tasks.ControlTask> tasks, ExportPeriod period, string[]? controlIds)
    {
        var (start, end) = (period.Start, period.End);
        var query = tasks.Where(t => t.PeriodEnd >= start && t.PeriodEnd <= end);
        return controlIds is null ? query : query.Where(t => controlIds.Contains(t.ControlId));
    }

    private static IEnumerable<string?> TaskFields(TaskRow row)
    {
        var t = row.Task;
        return [Str(t.Id), t.ControlId, t.Period, Date(t.PeriodStart), Date(t.PeriodEnd), Date(t.DueDate), row.AssigneeEmail, t.Status.ToString(), Time(t.ClosedAt)];
    }

    private static IEnumerable<string?> AttestationFields(AttestationRow row, Dictionary<int, int> supersededBy)
    {
        var a = row.Attestation;
        return [Str(a.Id), Str(a.TaskId), row.ControlId, row.Period, row.AttestedByEmail, Time(a.AttestedAt), a.Channel.ToString(), a.MessageReference,
            a.Outcome.ToString(), a.Notes, a.EvidenceReference, a.Statement, a.SupersedesId is { } s ? Str(s) : null,
            supersededBy.TryGetValue(a.Id, out var later) ? Str(later) : null, a.ContentHash,
            a.HashMatches(row.ControlId, row.Period, row.AttestedByEmail ?? "") ? "true" : "false"];
    }

    private static IEnumerable<string?> EvidenceFields(EvidenceRow row)
    {
        var e = row.Item;
        return [Str(e.Id), Str(e.TaskId), row.ControlId, row.Period, e.FileName, EvidencePath(row.ControlId, row.Period, e.Sha256, e.FileName), Str(e.Length),
            e.Sha256, row.UploadedByEmail, Time(e.UploadedAt), e.Channel.ToString(), e.ExpiresOn is { } x ? Date(x) : null];
    }

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Full precision (seven fractional digits), exactly as the record hashes cover it.</summary>
    private static string? Time(DateTimeOffset? time) => time is { } t ? Audit.AuditEvent.FormatTimestamp(t) : null;

    private static string Readme(ExportPeriod period, int controls) =>
        $"""
        SOC 2 evidence export for {period.Label} ({period.Start:yyyy-MM-dd} to {period.End:yyyy-MM-dd}), {controls} controls.

        tasks.csv, attestations.csv, evidence.csv   every task whose period ends in {period.Label}, its attestations and evidence
        controls/<control>/                          the control (control.json: retired, retiredAt, renamedFrom…), its tasks, attestations and evidence files
        controls/<control>/population.csv            every occurrence of the control whose period ends in the window: status, who attested in which capacity, days late, evidence hashes
        controls/<control>/history.csv               each version of the control's definition, with the actor and the hash of the imported files
        exceptions.csv                               missed, late, not performed, performed with exceptions, not applicable, refused attempts, failed reminders, refused change approvals
        criteria/<criterion>/                        the same rows for every control mapped to the criterion (evidence files are under controls/)
        people.csv                                   the directory: roles, manager, status
        access-reviews/                              each review's report and the account export it was made from (source-accounts.csv)
        evidence-problems.csv                        evidence files found missing or changed while exporting (empty when none)
        audit/events.jsonl                           every audit event about the period's objects (whenever recorded) and every event recorded in it
        audit/chain.csv, audit/checkpoints.jsonl     the whole chain's links and its signed checkpoints
        manifest.json, manifest.sig                  SHA-256 and size of every other file, signed (ECDSA P-256; signing-key.pem)
        VERIFY.md, verify.py                         how to verify all of this without our software (python3 verify.py <this zip>)

        Attestations are never edited: a correction is a new row whose supersedes_id names the row it replaces.
        content_hash_valid says whether the row still matches the hash taken when it was recorded.

        """;
}
