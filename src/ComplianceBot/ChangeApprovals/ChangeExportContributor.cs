using System.Globalization;
using ComplianceBot.Data;
using ComplianceBot.Export;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.ChangeApprovals;

/// <summary>
/// CC8.1 evidence: every change submitted in the export period, who asked, who wrote it, who had to approve, each
/// decision with its comment and time, and how many approvals were refused for segregation of duties.
/// Written to criteria/CC8.1/changes.csv (and changes.csv at the top, beside tasks.csv).
/// </summary>
internal sealed class ChangeExportContributor(ComplianceDbContext db) : IExportContributor
{
    public const string Criterion = "CC8.1";

    public static readonly string[] Header =
    [
        "change_id", "title", "system", "risk", "status", "may_proceed", "requester", "author", "submitted_by", "submitted_at_utc", "decided_at_utc",
        "required_approvals", "approvers", "decisions", "refused_attempts", "emergency_after_the_fact", "links", "rollback_plan", "test_evidence",
        "planned_window", "description",
    ];

    public int Order => 60;

    public async Task WriteAsync(ExportWriter export, CancellationToken cancellationToken)
    {
        var (start, end) = (export.Period.StartUtc, export.Period.EndUtcExclusive);
        var changes = await db.ChangeRequests.AsNoTracking()
            .Where(c => c.CreatedAt >= start && c.CreatedAt < end)
            .Include(c => c.Requester).Include(c => c.Author)
            .Include(c => c.Approvers).ThenInclude(a => a.Person)
            .Include(c => c.Decisions).ThenInclude(d => d.Approver)
            .OrderBy(c => c.Id)
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        var subjects = changes.Select(c => c.Subject).ToList();
        var refusals = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "change.decision_refused" && subjects.Contains(e.Subject))
            .GroupBy(e => e.Subject).Select(g => new { Subject = g.Key, Actors = g.Select(e => e.Actor).ToList() })
            .ToDictionaryAsync(g => g.Subject, g => g.Actors, cancellationToken);

        var rows = changes.Select(c => Row(c, refusals.GetValueOrDefault(c.Subject) ?? [])).ToList();
        await export.AddCsvAsync($"criteria/{Criterion}/changes.csv", Header, rows.ToAsyncEnumerable(), r => r, cancellationToken);
        await export.AddCsvAsync("changes.csv", Header, rows.ToAsyncEnumerable(), r => r, cancellationToken);
    }

    private static string?[] Row(ChangeRequest c, List<string> refusedBy) =>
    [
        c.Id.ToString(CultureInfo.InvariantCulture), c.Title, c.System, c.Risk.ToString().ToLowerInvariant(), ChangeCards.StatusText(c.Status),
        c.MayProceed ? "true" : "false", c.Requester?.Email, c.Author?.Email, c.SubmittedBy, Time(c.CreatedAt), Time(c.DecidedAt),
        string.Join(" + ", new[] { c.RequiresManager ? "manager" : null, c.RequiresChangeAdvisory ? "change_advisory" : null }.OfType<string>()),
        string.Join("; ", c.Approvers.Select(a => $"{a.Person?.Email} ({a.Roles})")),
        string.Join("; ", c.Decisions.OrderBy(d => d.DecidedAt).Select(d =>
            $"{d.Approver?.Email} {(d.Decision == ChangeDecisionKind.Approve ? "approved" : "rejected")} {Time(d.DecidedAt)}{(d.Comment is { } comment ? ": " + comment : "")}")),
        refusedBy.Count == 0 ? "0" : $"{refusedBy.Count.ToString(CultureInfo.InvariantCulture)} ({string.Join(", ", refusedBy.Distinct())})",
        c.ApprovedAfterTheFact ? "true" : "false", c.Links.Replace('\n', ' '), c.RollbackPlan, c.TestEvidence, c.PlannedWindow, c.Description,
    ];

    private static string? Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
