using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

public sealed record FlaggedAccount(string AccountId, string DisplayName, string Role, IReadOnlyList<string> Flags);

/// <summary>What an admin checks before starting a draft (and what any review looks like at a glance): counts, flags, binding, lifecycle.</summary>
public sealed record ReviewPreview(
    int Id, string System, string Period, string Status, string? ControlId, int? TaskId, string Reviewer, DateOnly DueDate,
    int Accounts, int New, int Changed, int Unchanged, int Removed, int Flagged, IReadOnlyDictionary<string, int> FlagCounts,
    IReadOnlyList<FlaggedAccount> FlaggedAccounts, string SourceSha256, string? OverrideReason,
    DateTimeOffset? StartedAt, string? StartedBy, DateTimeOffset? CancelledAt, string? CancelledBy, string? CancelReason)
{
    /// <summary>How the file was read: the import profile ("aws-iam-credential-report"…) and any stated date order or column mapping.</summary>
    public string ImportProfile { get; init; } = "generic";
    public string? ImportSettings { get; init; }

    /// <summary>Last quarter's revocations checked against this export: gone (or disabled), and still present (flagged).</summary>
    public int PreviousRevocationsGone { get; init; }
    public int PreviousRevocationsStillPresent { get; init; }

    /// <summary>The preview lists this many flagged accounts; the counts cover all of them.</summary>
    public const int ListedFlagged = 50;

    public static async Task<ReviewPreview> BuildAsync(ComplianceDbContext db, int reviewId, CancellationToken cancellationToken)
    {
        var review = await db.AccessReviews.AsNoTracking().Include(r => r.Reviewer).SingleAsync(r => r.Id == reviewId, cancellationToken);
        var items = db.AccessReviewItems.AsNoTracking().Where(i => i.ReviewId == reviewId);
        // One grouped query for every count; flag bits are expanded in memory (a handful of distinct combinations).
        var groups = await items.GroupBy(i => new { i.Change, i.Flags }).Select(g => new { g.Key.Change, g.Key.Flags, Count = g.Count() }).ToListAsync(cancellationToken);
        var flagCounts = Enum.GetValues<AccountFlags>().Where(f => f != AccountFlags.None)
            .ToDictionary(f => f.ToString().ToLowerInvariant(), f => groups.Where(g => g.Flags.HasFlag(f)).Sum(g => g.Count));
        var flagged = await items.Where(i => i.Flags != AccountFlags.None).OrderBy(i => i.AccountId).Take(ListedFlagged)
            .Select(i => new { i.AccountId, i.DisplayName, i.Role, i.Flags }).ToListAsync(cancellationToken);
        int Count(AccountChange change) => groups.Where(g => g.Change == change).Sum(g => g.Count);
        return new ReviewPreview(
            review.Id, review.SystemName, review.Period, review.Status.ToString(), review.ControlId, review.TaskId, review.Reviewer!.Email, review.DueDate,
            review.AccountCount, Count(AccountChange.New), Count(AccountChange.Changed), Count(AccountChange.Unchanged), review.RemovedCount,
            groups.Where(g => g.Flags != AccountFlags.None).Sum(g => g.Count), flagCounts,
            [.. flagged.Select(f => new FlaggedAccount(f.AccountId, f.DisplayName, f.Role, FlagNames(f.Flags)))],
            review.SourceSha256, review.OverrideReason, review.StartedAt, review.StartedBy, review.CancelledAt, review.CancelledBy, review.CancelReason)
        {
            ImportProfile = review.ImportProfile,
            ImportSettings = review.ImportSettings,
            PreviousRevocationsGone = review.RevokedGoneCount,
            PreviousRevocationsStillPresent = review.RevokedStillPresentCount,
        };
    }

    public static List<string> FlagNames(AccountFlags flags) =>
        [.. Enum.GetValues<AccountFlags>().Where(f => f != AccountFlags.None && flags.HasFlag(f)).Select(f => f.ToString().ToLowerInvariant())];
}
