using System.Globalization;
using System.Text.Json;
using ComplianceBot.Data;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Export;

/// <summary>
/// <c>exceptions.csv</c>: everything in the window an auditor follows up on, in one list — occurrences missed, attested
/// late, not performed or performed with exceptions (and those marked not applicable), refused attempts to act on
/// someone else's task, reminders that failed or whose delivery could not be confirmed, and change approvals refused
/// (segregation of duties, or not an approver).
/// </summary>
internal sealed class ExceptionsExportContributor(ComplianceDbContext db) : IExportContributor
{
    public static readonly string[] Header = ["kind", "control_id", "period", "occurrence_id", "at_utc", "who", "days_late", "detail", "reference"];

    public int Order => 20;

    public async Task WriteAsync(ExportWriter export, CancellationToken cancellationToken)
    {
        var period = export.Period;
        var rows = new List<string?[]>();
        await OccurrencesAsync(period, rows, cancellationToken);
        await RefusalsAsync(period, rows, cancellationToken);
        await RemindersAsync(period, rows, cancellationToken);
        await export.AddCsvAsync("exceptions.csv", Header, rows.OrderBy(r => r[4], StringComparer.Ordinal).ThenBy(r => r[0], StringComparer.Ordinal).ToAsyncEnumerable(), r => r, cancellationToken);
    }

    private async Task OccurrencesAsync(ExportPeriod period, List<string?[]> rows, CancellationToken cancellationToken)
    {
        var (start, end) = (period.Start, period.End);
        ControlTaskStatus[] exceptional = [ControlTaskStatus.Missed, ControlTaskStatus.NotPerformed, ControlTaskStatus.CompletedWithExceptions, ControlTaskStatus.NotApplicable];
        var tasks = await db.ControlTasks.AsNoTracking().Include(t => t.Assignee)
            .Where(t => t.PeriodEnd >= start && t.PeriodEnd <= end && (exceptional.Contains(t.Status) || t.DaysLate > 0))
            .OrderBy(t => t.ControlId).ThenBy(t => t.PeriodStart).ToListAsync(cancellationToken);
        var ids = tasks.Select(t => t.Id).ToList();
        var attestations = (await db.Attestations.AsNoTracking().Include(a => a.AttestedBy).Where(a => ids.Contains(a.TaskId)).OrderBy(a => a.Id).ToListAsync(cancellationToken))
            .ToLookup(a => a.TaskId);
        foreach (var task in tasks)
        {
            var history = attestations[task.Id].ToList();
            var first = history.FirstOrDefault();
            var current = history.LastOrDefault(a => !history.Any(later => later.SupersedesId == a.Id));
            string?[] Row(string kind, DateTimeOffset? at, string? who, string? detail) =>
                [kind, task.ControlId, task.Period, Str(task.Id), Time(at), who, task.DaysLate is { } late ? Str(late) : null, detail, current?.ContentHash];

            if (task.IsLate)
            {
                rows.Add(Row("late", first?.AttestedAt, first?.AttestedBy?.Email, $"due {Date(task.DueDate)}, first attested {task.DaysLate} day(s) later"));
            }

            switch (task.Status)
            {
                case ControlTaskStatus.Missed:
                    rows.Add(Row("missed", new DateTimeOffset(task.DueDate.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), task.Assignee?.Email,
                        $"due {Date(task.DueDate)}, not attested"));
                    break;
                case ControlTaskStatus.NotPerformed:
                    rows.Add(Row("not_performed", current?.AttestedAt, current?.AttestedBy?.Email, current?.Notes));
                    break;
                case ControlTaskStatus.CompletedWithExceptions:
                    rows.Add(Row("performed_with_exceptions", current?.AttestedAt, current?.AttestedBy?.Email, current?.Notes));
                    break;
                case ControlTaskStatus.NotApplicable:
                    rows.Add(Row("not_applicable", task.ClosedAt, null, task.Reason));
                    break;
            }
        }
    }

    /// <summary>Refused attempts, from the audit trail: someone acting on another person's task, and refused change approvals.</summary>
    private async Task RefusalsAsync(ExportPeriod period, List<string?[]> rows, CancellationToken cancellationToken)
    {
        var (from, to) = (period.StartUtc, period.EndUtcExclusive);
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Timestamp >= from && e.Timestamp < to && (e.Action == "task.refused" || e.Action == "change.decision_refused"))
            .OrderBy(e => e.Sequence).ToListAsync(cancellationToken);
        foreach (var e in events)
        {
            var data = JsonSerializer.Deserialize<Dictionary<string, string?>>(e.Data) ?? [];
            if (e.Action == "task.refused")
            {
                rows.Add(["refused_attempt", data.GetValueOrDefault("control"), data.GetValueOrDefault("period"), e.Subject.Replace("task:", "", StringComparison.Ordinal),
                    Time(e.Timestamp), e.Actor, null, $"tried to {data.GetValueOrDefault("attempted")} a task assigned to someone else", $"audit:{Str(e.Sequence)}"]);
            }
            else
            {
                var reason = data.GetValueOrDefault("reason");
                var sod = reason is "requester" or "author";
                rows.Add([sod ? "sod_refusal" : "change_decision_refused", null, null, null, Time(e.Timestamp), e.Actor, null,
                    sod ? $"the {reason} of {e.Subject} tried to {data.GetValueOrDefault("attempted")} it" : $"{data.GetValueOrDefault("attempted")} refused: {reason}",
                    $"audit:{Str(e.Sequence)}"]);
            }
        }
    }

    /// <summary>
    /// Reminders (and any other delivery) of the window that the outbox parked after its last attempt, or could not
    /// confirm after a crash: a control owner may never have been told.
    /// </summary>
    private async Task RemindersAsync(ExportPeriod period, List<string?[]> rows, CancellationToken cancellationToken)
    {
        var (from, to) = (period.StartUtc, period.EndUtcExclusive);
        var deliveries = await db.Set<Outbox.OutboxMessage>().AsNoTracking().Include(m => m.Recipient)
            .Where(m => m.CreatedAt >= from && m.CreatedAt < to && (m.Status == Outbox.OutboxStatus.Parked || m.Status == Outbox.OutboxStatus.Unconfirmed))
            .OrderBy(m => m.Id).ToListAsync(cancellationToken);
        var taskIds = deliveries.Select(m => TaskIdOf(m.Subject)).OfType<int>().Distinct().ToList();
        var tasks = await db.ControlTasks.AsNoTracking().Where(t => taskIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
        foreach (var delivery in deliveries)
        {
            var task = TaskIdOf(delivery.Subject) is { } id ? tasks.GetValueOrDefault(id) : null;
            var kind = delivery.Topic == Reminders.Reminder.OutboxTopic ? "reminder" : "delivery";
            rows.Add([delivery.Status == Outbox.OutboxStatus.Parked ? $"{kind}_failed" : $"{kind}_unconfirmed", task?.ControlId, task?.Period, task is null ? null : Str(task.Id),
                Time(delivery.DueAt), delivery.Recipient?.Email, null, $"{delivery.Topic} ({delivery.Attempts} attempt(s)): {delivery.LastError}", delivery.Subject]);
        }
    }

    private static int? TaskIdOf(string subject) =>
        subject.StartsWith("task:", StringComparison.Ordinal) && int.TryParse(subject.AsSpan(5), CultureInfo.InvariantCulture, out var id) ? id : null;

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
