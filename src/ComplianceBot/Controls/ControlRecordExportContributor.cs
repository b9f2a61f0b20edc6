using System.Globalization;
using ComplianceBot.Attestations;
using ComplianceBot.Data;
using ComplianceBot.Export;
using ComplianceBot.Knowledge;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Controls;

/// <summary>
/// Per control, what an auditor samples from: <c>population.csv</c> (every occurrence whose period ends in the export
/// window, with its status, who attested in which capacity, lateness and evidence hashes; periods before tracking
/// began are listed as such) and <c>history.csv</c> (each definition version with the importing actor and import hash).
/// A renumbered control's files include its predecessors' rows (<c>renamed_from</c>).
/// </summary>
internal sealed class ControlRecordExportContributor(ComplianceDbContext db, ProgramProfileHolder profile) : IExportContributor
{
    public static readonly string[] PopulationHeader =
    [
        "occurrence_id", "control_id", "period", "period_start", "period_end", "due_date", "status", "days_late", "assignee",
        "first_attested_at_utc", "attested_at_utc", "attested_by", "attested_as", "outcome", "attestation_id", "content_hash", "corrections",
        "evidence_count", "evidence_sha256", "reason", "successor", "closed_at_utc",
    ];

    public static readonly string[] HistoryHeader = ["control_id", "version", "recorded_at_utc", "actor", "change", "import_hash", "definition_sha256", "definition"];

    public const string BeforeTracking = "Before tracking";

    public int Order => 10;

    public async Task WriteAsync(ExportWriter export, CancellationToken cancellationToken)
    {
        var period = export.Period;
        var (start, end) = (period.Start, period.End);
        var startUtc = period.StartUtc;
        var controls = await db.Controls.AsNoTracking()
            .Where(c => !c.Retired || c.RetiredAt >= startUtc || db.ControlTasks.Any(t => t.ControlId == c.Id && t.PeriodEnd >= start && t.PeriodEnd <= end))
            .OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var all = await db.Controls.AsNoTracking().Select(c => new { c.Id, c.RenamedFrom }).ToDictionaryAsync(c => c.Id, c => c.RenamedFrom, StringComparer.Ordinal, cancellationToken);
        var trackedFrom = profile.Current.OccurrencesFrom;

        foreach (var control in controls)
        {
            var lineage = Lineage(control.Id, all);
            var folder = $"controls/{ExportWriter.SafeName(control.Id)}";
            var rows = await PopulationAsync(control, lineage, period, trackedFrom, cancellationToken);
            await export.AddCsvAsync($"{folder}/population.csv", PopulationHeader, rows.ToAsyncEnumerable(), r => r, cancellationToken);

            var endUtc = period.EndUtcExclusive;
            var versions = db.ControlVersions.AsNoTracking().Where(v => lineage.Contains(v.ControlId) && v.RecordedAt < endUtc)
                .OrderBy(v => v.RecordedAt).ThenBy(v => v.ControlId).ThenBy(v => v.Version);
            await export.AddCsvAsync($"{folder}/history.csv", HistoryHeader, versions.AsAsyncEnumerable(),
                v => [v.ControlId, Str(v.Version), Time(v.RecordedAt), v.Actor, v.Change, v.ImportHash, v.DefinitionHash, v.Definition], cancellationToken);
        }
    }

    /// <summary>The control's rows: its own occurrences and its predecessors', plus "before tracking" periods, by period start.</summary>
    private async Task<List<string?[]>> PopulationAsync(Control control, string[] lineage, ExportPeriod period, DateOnly? trackedFrom, CancellationToken cancellationToken)
    {
        var (start, end) = (period.Start, period.End);
        // Projections with the people's emails rather than whole Person entities, and the window as a subquery rather than a
        // list of task ids: a large period's export is dominated by these reads (bench owner-loop).
        var window = db.ControlTasks.AsNoTracking().Where(t => lineage.Contains(t.ControlId) && t.PeriodEnd >= start && t.PeriodEnd <= end);
        var taskIds = window.Select(t => t.Id);
        var tasks = await window.OrderBy(t => t.PeriodStart).ThenBy(t => t.ControlId)
            .Select(t => new Occurrence(t, t.Assignee!.Email)).ToListAsync(cancellationToken);
        var attestations = (await db.Attestations.AsNoTracking().Where(a => taskIds.Contains(a.TaskId)).OrderBy(a => a.Id)
            .Select(a => new Attested(a, a.AttestedBy!.Email)).ToListAsync(cancellationToken))
            .ToLookup(a => a.Attestation.TaskId);
        var evidence = (await db.EvidenceItems.AsNoTracking().Where(e => taskIds.Contains(e.TaskId)).OrderBy(e => e.Id).Select(e => new { e.TaskId, e.Sha256 }).ToListAsync(cancellationToken))
            .ToLookup(e => e.TaskId, e => e.Sha256);
        var successorIds = tasks.Where(t => t.Task.SuccessorId is not null).Select(t => t.Task.SuccessorId!.Value).ToList();
        var successors = await db.ControlTasks.AsNoTracking().Where(t => successorIds.Contains(t.Id))
            .ToDictionaryAsync(t => t.Id, t => $"{t.ControlId}/{t.Period}", cancellationToken);

        var rows = new List<(DateOnly Start, string?[] Fields)>();
        foreach (var (task, assigneeEmail) in tasks)
        {
            var history = attestations[task.Id].ToList();
            var current = history.LastOrDefault(a => !history.Any(later => later.Attestation.SupersedesId == a.Attestation.Id));
            var attestation = current?.Attestation;
            var hashes = evidence[task.Id].ToList();
            rows.Add((task.PeriodStart,
            [
                Str(task.Id), task.ControlId, task.Period, Date(task.PeriodStart), Date(task.PeriodEnd), Date(task.DueDate), task.StatusLabel,
                task.DaysLate is { } late ? Str(late) : null, assigneeEmail,
                Time(history.FirstOrDefault()?.Attestation.AttestedAt), Time(attestation?.AttestedAt), current?.ByEmail,
                attestation is null ? null : Capacity(attestation, task, assigneeEmail),
                attestation?.Outcome.ToString(), attestation is null ? null : Str(attestation.Id), attestation?.ContentHash, Str(Math.Max(0, history.Count - 1)),
                Str(hashes.Count), string.Join(';', hashes), task.Reason, task.SuccessorId is { } s ? successors.GetValueOrDefault(s) : null, Time(task.ClosedAt),
            ]));
        }

        // Periods of the window that ended before tracking began: listed (on the schedule the control was first imported
        // with), never reported as missed.
        if (trackedFrom is { } tracked && start < tracked)
        {
            var held = tasks.Select(t => t.Task.Period).ToHashSet(StringComparer.Ordinal);
            var frequency = await FirstFrequencyAsync(control, lineage, cancellationToken);
            for (var p = ReportingPeriod.Containing(frequency, start); p.Start <= end && p.End < tracked; p = p.Next(frequency))
            {
                if (p.End >= start && p.End <= end && !held.Contains(p.Label))
                {
                    rows.Add((p.Start, [null, control.Id, p.Label, Date(p.Start), Date(p.End), Date(p.DueDate(control)), BeforeTracking,
                        null, null, null, null, null, null, null, null, null, null, null, null, $"tracking began {Date(tracked)}", null, null]));
                }
            }
        }

        return [.. rows.OrderBy(r => r.Start).Select(r => r.Fields)];
    }

    private async Task<ControlFrequency> FirstFrequencyAsync(Control control, string[] lineage, CancellationToken cancellationToken)
    {
        var first = await db.ControlVersions.AsNoTracking().Where(v => lineage.Contains(v.ControlId))
            .OrderBy(v => v.RecordedAt).ThenBy(v => v.Id).Select(v => v.Definition).FirstOrDefaultAsync(cancellationToken);
        var text = first is null ? null : System.Text.Json.JsonDocument.Parse(first).RootElement.GetProperty("frequency").GetString();
        return Enum.TryParse<ControlFrequency>(text, ignoreCase: true, out var frequency) ? frequency : control.Frequency;
    }

    /// <summary>In which capacity the person attested: the assignee, or a delegate of the assignee; and through which workflow.</summary>
    private static string Capacity(Attestation attestation, ControlTask task, string? assigneeEmail)
    {
        var role = attestation.AttestedById == task.AssigneeId ? "assignee" : $"delegate of {assigneeEmail}";
        return attestation.EvidenceReference?.StartsWith("access-review:", StringComparison.Ordinal) == true ? $"{role}, access review sign-off" : role;
    }

    private sealed record Occurrence(ControlTask Task, string? AssigneeEmail);

    private sealed record Attested(Attestation Attestation, string? ByEmail);

    private static string[] Lineage(string id, Dictionary<string, string?> renamedFrom)
    {
        var ids = new List<string> { id };
        for (var current = renamedFrom.GetValueOrDefault(id); current is not null && !ids.Contains(current) && renamedFrom.ContainsKey(current); current = renamedFrom[current])
        {
            ids.Add(current);
        }

        return [.. ids];
    }

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Full precision (the 7-digit "O" form), exactly as the content hashes cover it.</summary>
    private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
