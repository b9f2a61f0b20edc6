using System.Globalization;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.Export;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

/// <summary>
/// The review report an auditor reads: a summary (commented lines) then one CSV row per account with flags, decision,
/// reason, who decided and when, the questions asked about it with their answers, and the revocation follow-up;
/// accounts gone since the previous review are listed too. Columns are only ever added at the end (consumers read
/// them by position as well as by name).
/// </summary>
public sealed class AccessReviewReport(ComplianceDbContext db, IEvidenceStore store)
{
    public static readonly string[] Columns =
    [
        "account_id", "display_name", "email", "role", "last_login", "change", "flags", "decision", "reason", "decided_by", "decided_at",
        "revocation_confirmed_by", "revocation_confirmed_at", "revocation_note",
        "groups", "admin_roles", "mfa", "key_status", "account_status", "account_enabled", "last_activity_source", "change_details",
        "person", "matched_by", "mark", "owner", "escalations",
        "deferred_at_sign_off", "follow_up",
    ];

    public static string FileName(AccessReview review) => $"access-review-{Slug(review.SystemName)}-{review.Period}.csv";

    public async Task<byte[]> BuildAsync(AccessReview review, CancellationToken cancellationToken)
    {
        // One query for every row, with names joined in SQL (5,000 accounts stay one round trip).
        var rows = await (
                from i in db.Set<AccessReviewItem>().AsNoTracking().Where(i => i.ReviewId == review.Id)
                join r in db.Set<AccessRevocation>().AsNoTracking() on i.Id equals r.ItemId into revocations
                from r in revocations.DefaultIfEmpty()
                orderby i.AccountId
                select new
                {
                    i.AccountId, i.DisplayName, i.Email, i.Role, i.LastLogin, i.Change, i.Flags, i.Decision, i.Reason,
                    DecidedBy = i.DecidedBy == null ? null : i.DecidedBy.Email,
                    i.DecidedAt,
                    ConfirmedBy = r == null || r.ConfirmedBy == null ? null : r.ConfirmedBy.Email,
                    ConfirmedAt = r == null ? null : r.ConfirmedAt,
                    Note = r == null ? null : r.Note,
                    i.Groups, i.AdminRoles, i.Mfa, i.KeyStatus, i.AccountStatus, i.AccountEnabled, i.LastActivitySource, i.ChangeSummary, i.MatchedBy, i.Mark, i.DeferredAtSignOff,
                    Person = db.People.Where(p => p.Id == i.PersonId).Select(p => p.Email).FirstOrDefault(),
                    Owner = db.People.Where(p => p.Id == i.OwnerId).Select(p => p.Email).FirstOrDefault(),
                })
            .ToListAsync(cancellationToken);
        var removed = review.PreviousReviewId is not { } previousId
            ? []
            : await db.Set<AccessReviewItem>().AsNoTracking()
                .Where(p => p.ReviewId == previousId && !db.Set<AccessReviewItem>().Any(c => c.ReviewId == review.Id && c.AccountId == p.AccountId))
                .OrderBy(p => p.AccountId)
                .Select(p => new { p.AccountId, p.DisplayName, p.Email, p.Role })
                .ToListAsync(cancellationToken);
        var reviewer = await db.People.AsNoTracking().Where(p => p.Id == review.ReviewerId).Select(p => p.Email).SingleAsync(cancellationToken);
        // The questions asked about an account and their answers: advice the reviewer decided with, attributable to its author.
        var escalations = (await db.Set<AccessReviewEscalation>().AsNoTracking().Where(e => e.ReviewId == review.Id)
                .OrderBy(e => e.AskedAt).ThenBy(e => e.Id)
                .Select(e => new { e.Item!.AccountId, By = e.AskedBy!.Email, Of = e.AskedOf!.Email, e.Question, e.AskedAt, e.Recommendation, e.Answer, e.AnsweredAt })
                .ToListAsync(cancellationToken))
            .ToLookup(e => e.AccountId, e => $"{e.By} asked {e.Of} {Timestamp(e.AskedAt)}: {e.Question.ReplaceLineEndings(" ")} → " +
                (e.AnsweredAt is null ? "unanswered" : $"{AccessReviewEscalation.Summary(e.Of, e.Recommendation, e.Answer?.ReplaceLineEndings(" "))} {Timestamp(e.AnsweredAt)}"), StringComparer.Ordinal);

        using var output = new MemoryStream();
        await using (var csv = CsvFiles.Create(output, CsvFiles.WithComments))
        {
            csv.WriteComment($" Access review: {review.SystemName}, {review.Period}");
            csv.WriteComment($" Control: {review.ControlId ?? "-"}; reviewer: {reviewer}; due: {Date(review.DueDate)}");
            csv.WriteComment($" Accounts: {Invariant(rows.Count)}; kept: {Invariant(rows.Count(r => r.Decision == AccessDecision.Keep))}; " +
                $"revoked: {Invariant(rows.Count(r => r.Decision == AccessDecision.Revoke))}; revocations confirmed: {Invariant(rows.Count(r => r.ConfirmedAt is not null))}; " +
                $"new: {Invariant(rows.Count(r => r.Change == AccountChange.New))}; flagged: {Invariant(rows.Count(r => r.Flags != AccountFlags.None))}; " +
                $"removed since previous review: {Invariant(removed.Count)}");
            csv.WriteComment($" Snapshot SHA-256: {review.SourceSha256}; imported {Timestamp(review.CreatedAt)} by {review.CreatedBy}");
            csv.WriteComment($" Import profile: {review.ImportProfile}{(review.ImportSettings is { } settings ? $" ({settings})" : "")}");
            if (review.PreviousReviewId is not null)
            {
                var stillPresent = rows.Where(r => r.Flags.HasFlag(AccountFlags.StillPresent)).Select(r => r.AccountId).ToList();
                csv.WriteComment($" Revocations of the previous review verified: {Invariant(review.RevokedGoneCount)} gone; " +
                    $"{Invariant(review.RevokedStillPresentCount)} still present{(stillPresent.Count > 0 ? ": " + string.Join(' ', stillPresent) : "")}");
            }
            if (review.SignOffStatement is not null)
            {
                csv.WriteComment($" Signed off {Timestamp(review.SignedOffAt)}: {review.SignOffStatement.ReplaceLineEndings(" ")}");
            }

            if (review.FollowUpDue is { } followUpDue)
            {
                var carried = rows.Where(r => r.DeferredAtSignOff).ToList();
                csv.WriteComment($" Deferred at sign-off: {Invariant(carried.Count)}, follow-up due {Date(followUpDue)}; " +
                    $"kept on follow-up: {Invariant(carried.Count(r => r.Decision == AccessDecision.Keep))}; " +
                    $"revoked on follow-up: {Invariant(carried.Count(r => r.Decision == AccessDecision.Revoke))}; " +
                    $"still deferred: {Invariant(carried.Count(r => r.Decision == AccessDecision.Deferred))}");
            }

            csv.WriteRow(Columns);
            foreach (var r in rows)
            {
                csv.WriteRow([r.AccountId, r.DisplayName, r.Email, r.Role, Timestamp(r.LastLogin), r.Change.ToString().ToLowerInvariant(), FlagText(r.Flags),
                    r.Decision.ToString().ToLowerInvariant(), r.Reason, r.DecidedBy, Timestamp(r.DecidedAt), r.ConfirmedBy, Timestamp(r.ConfirmedAt), r.Note,
                    List(r.Groups), List(r.AdminRoles), r.Mfa is { } mfa ? (mfa ? "yes" : "no") : "", r.KeyStatus, r.AccountStatus, r.AccountEnabled ? "yes" : "no",
                    r.LastActivitySource, r.ChangeSummary, r.Person, r.MatchedBy, AccountMarks.Describe(r.Mark), r.Owner, string.Join(" | ", escalations[r.AccountId]),
                    r.DeferredAtSignOff ? "yes" : "", r.DeferredAtSignOff ? FollowUpText(r.Decision, r.DecidedAt, review) : ""]);
            }

            foreach (var r in removed)
            {
                csv.WriteRow([r.AccountId, r.DisplayName, r.Email, r.Role, "", "removed", "", "", "no longer in the system", "", "", "", "", "",
                    "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]);
            }
        }

        return output.ToArray();
    }

    /// <summary>Puts the report into the write-once evidence store; its SHA-256 is computed while it streams in.</summary>
    public async Task<StoredFile> StoreAsync(AccessReview review, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(await BuildAsync(review, cancellationToken), writable: false);
        return await store.PutAsync(content, cancellationToken);
    }

    /// <summary>The stored report of a completed review, or null before completion.</summary>
    public async Task<byte[]?> ReadStoredAsync(AccessReview review, CancellationToken cancellationToken)
    {
        if (review.ReportSha256 is not { } sha)
        {
            return null;
        }

        await using var content = await store.OpenReadAsync(sha, cancellationToken);
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    /// <summary>"kept on follow-up 12 Dec 2026 (deferred at sign-off 7 Dec 2026)": both facts of an account deferred at sign-off.</summary>
    public static string FollowUpText(AccessDecision decision, DateTimeOffset? decidedAt, AccessReview review)
    {
        var deferred = $"deferred at sign-off {review.SignedOffAt?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}";
        return decision switch
        {
            AccessDecision.Keep => $"kept on follow-up {decidedAt?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} ({deferred})",
            AccessDecision.Revoke => $"revoked on follow-up {decidedAt?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} ({deferred})",
            _ => $"{deferred}; to decide by {review.FollowUpDue?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}",
        };
    }

    private static string List(string json) => string.Join("; ", System.Text.Json.JsonSerializer.Deserialize<List<string>>(json) ?? []);

    public static string FlagText(AccountFlags flags) =>
        flags == AccountFlags.None ? "" : string.Join(' ', Enum.GetValues<AccountFlags>().Where(f => f != AccountFlags.None && flags.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant()));

    private static string Slug(string name) => string.Concat(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Timestamp(DateTimeOffset? value) => value?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "";
}
