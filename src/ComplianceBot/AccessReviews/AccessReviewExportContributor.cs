using System.Globalization;
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.Export;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

/// <summary>
/// Puts the access reviews of the export period into the auditor export: access-reviews/reviews.csv (one row per review
/// with counts, sign-off and report hash) and each review's report — the stored evidence once complete, else a dated
/// in-progress snapshot, so an auditor also sees a review that is still open.
/// </summary>
internal sealed class AccessReviewExportContributor(ComplianceDbContext db, AccessReviewReport report, IEvidenceStore store) : IExportContributor
{
    public static readonly string[] Header =
    [
        "review_id", "system", "period", "control_id", "task_id", "reviewer", "due_date", "status", "accounts", "kept", "revoked", "undecided",
        "revocations_confirmed", "removed_since_previous", "signed_off_by", "signed_off_at_utc", "sign_off_statement", "completed_at_utc",
        "report_file", "report_sha256", "snapshot_sha256", "source_file", "import_profile", "import_settings",
        "previous_revocations_gone", "previous_revocations_still_present", "started_by", "started_at_utc", "cancelled_by", "cancelled_at_utc",
        "cancel_reason", "scope_override_reason", "follow_up_due",
    ];

    public int Order => 50;

    public async Task WriteAsync(ExportWriter export, CancellationToken cancellationToken)
    {
        var (start, end) = (export.Period.Start, export.Period.End);
        // Four reviews per system a year: filter the quarter in memory rather than teach SQL about "2026-Q4".
        // A draft is not a review yet (nobody was asked); a cancelled one is, and the auditor sees why it stopped.
        var reviews = (await db.AccessReviews.AsNoTracking().Include(r => r.Reviewer).Where(r => r.Status != AccessReviewStatus.Draft)
                .OrderBy(r => r.SystemName).ThenBy(r => r.Period).ThenBy(r => r.Id).ToListAsync(cancellationToken))
            .Where(r => AccessReviewImporter.QuarterEnd(r.Period) is var quarterEnd && quarterEnd >= start && quarterEnd <= end)
            .ToList();
        if (reviews.Count == 0)
        {
            return;
        }

        var ids = reviews.Select(r => r.Id).ToList();
        var counts = await db.AccessReviewItems.Where(i => ids.Contains(i.ReviewId))
            .GroupBy(i => new { i.ReviewId, i.Decision })
            .Select(g => new { g.Key.ReviewId, g.Key.Decision, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var confirmed = await db.AccessRevocations.Where(r => ids.Contains(r.ReviewId) && r.ConfirmedAt != null)
            .GroupBy(r => r.ReviewId).Select(g => new { ReviewId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.ReviewId, g => g.Count, cancellationToken);
        var signerIds = reviews.Where(r => r.SignedOffById is not null).Select(r => r.SignedOffById!.Value).ToList();
        var signers = await db.People.AsNoTracking().Where(p => signerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Email, cancellationToken);

        var rows = new List<string?[]>();
        foreach (var review in reviews)
        {
            int Count(Func<AccessDecision, bool> which) => counts.Where(c => c.ReviewId == review.Id && which(c.Decision)).Sum(c => c.Count);
            var folder = $"access-reviews/{ExportWriter.SafeName(review.SystemName)}-{review.Period}{(review.Status == AccessReviewStatus.Cancelled ? $"-cancelled-{review.Id}" : "")}";
            var path = $"{folder}/{(review.ReportSha256 is null ? "report-in-progress.csv" : AccessReviewReport.FileName(review))}";
            var bytes = await report.ReadStoredAsync(review, cancellationToken) ?? await report.BuildAsync(review, cancellationToken);
            await export.AddFileAsync(path, new MemoryStream(bytes, writable: false), cancellationToken);
            var sourcePath = $"{folder}/source-accounts.csv";
            var source = await export.AddEvidenceAsync(sourcePath, review.Id, review.SourceSha256, ct => store.OpenReadAsync(review.SourceSha256, ct), cancellationToken) || export.Contains(sourcePath)
                ? sourcePath : null;
            rows.Add(
            [
                Str(review.Id), review.SystemName, review.Period, review.ControlId, review.TaskId is { } t ? Str(t) : null, review.Reviewer?.Email,
                review.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), review.Status.ToString(), Str(review.AccountCount),
                Str(Count(d => d == AccessDecision.Keep)), Str(Count(d => d == AccessDecision.Revoke)),
                Str(Count(d => d is not (AccessDecision.Keep or AccessDecision.Revoke))), Str(confirmed.GetValueOrDefault(review.Id)), Str(review.RemovedCount),
                review.SignedOffById is { } s ? signers.GetValueOrDefault(s) : null, Time(review.SignedOffAt), review.SignOffStatement, Time(review.CompletedAt),
                path, review.ReportSha256, review.SourceSha256, source, review.ImportProfile, review.ImportSettings,
                review.PreviousReviewId is null ? null : Str(review.RevokedGoneCount), review.PreviousReviewId is null ? null : Str(review.RevokedStillPresentCount),
                review.StartedBy, Time(review.StartedAt), review.CancelledBy, Time(review.CancelledAt), review.CancelReason, review.OverrideReason,
                review.FollowUpDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ]);
        }

        await export.AddCsvAsync("access-reviews/reviews.csv", Header, rows.ToAsyncEnumerable(), r => r, cancellationToken);
    }

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? time) => time is { } t ? Audit.AuditEvent.FormatTimestamp(t) : null;
}
