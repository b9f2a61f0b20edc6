using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.AccessReviews.Imports;
using ComplianceBot.Audit;
using ComplianceBot.Controls;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Systems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.AccessReviews;

/// <summary>Why an import was refused; <see cref="Conflict"/> when the review already exists.</summary>
public sealed class AccessReviewImportException(string message, IReadOnlyList<string>? problems = null, bool conflict = false, bool notFound = false) : Exception(message)
{
    public IReadOnlyList<string> Problems { get; } = problems ?? [];
    public bool Conflict { get; } = conflict;
    public bool NotFound { get; } = notFound;
}

/// <summary>
/// Creates a draft review from a system's account export: an immutable snapshot, each account tagged against the previous
/// review of the system and flagged, saved in one unit (nothing half-imported). Starting it is <see cref="AccessReviewLifecycle"/>'s.
/// </summary>
public sealed partial class AccessReviewImporter(
    ComplianceDbContext db,
    AuditTrail audit,
    IOptions<AccessReviewOptions> options,
    TimeProvider clock)
{
    /// <summary>
    /// Imports the export as a DRAFT review: nobody is told and nothing can be decided until an admin previews it and
    /// starts it (<see cref="AccessReviewLifecycle"/>). An out-of-scope system or a closed period needs <paramref name="overrideReason"/>.
    /// </summary>
    /// <param name="controlId">The control the review evidences; optional when exactly one control of the system is <c>evidenced_by: access_review</c>.</param>
    /// <param name="settings">What the importer was told about the file (profile, date order, column mapping); none by default.</param>
    public async Task<AccessReview> ImportAsync(string systemName, string period, string? reviewerEmail, string csv, string actor, CancellationToken cancellationToken,
        string? controlId = null, ExportSettings? settings = null, string? overrideReason = null)
    {
        settings ??= ExportSettings.None;
        var (system, control) = await FindSystemAsync(systemName, controlId, cancellationToken);
        if (!QuarterPattern().IsMatch(period ?? ""))
        {
            throw new AccessReviewImportException($"period '{period}' is not a quarter; use the form 2026-Q4.");
        }

        var reviewer = await FindReviewerAsync(reviewerEmail, system, control, cancellationToken);
        var parsed = AccountExport.Parse(csv, settings);
        if (!parsed.Ok)
        {
            throw new AccessReviewImportException(
                parsed.Errors.Count == 1 ? $"The CSV was not imported: {parsed.Errors[0]}" : $"The CSV was not imported ({parsed.Errors.Count} problems, all listed; nothing was imported): {parsed.Errors[0]}",
                parsed.Errors);
        }

        if (await db.Set<AccessReview>().AsNoTracking().Where(r => r.SystemName == system.Name && r.Period == period && r.Status != AccessReviewStatus.Cancelled)
                .Select(r => new { r.Id, r.Status }).FirstOrDefaultAsync(cancellationToken) is { } existing)
        {
            throw Existing(system.Name, period!, existing.Id, existing.Status);
        }

        var task = await db.ControlTasks.AsNoTracking().SingleOrDefaultAsync(t => t.ControlId == control.Id && t.Period == period, cancellationToken);
        var overrides = ScopeOverrides(system, period!, task);
        if (overrides.Count > 0 && string.IsNullOrWhiteSpace(overrideReason))
        {
            throw new AccessReviewImportException(
                $"{string.Join(" ", overrides)} If this review is still wanted, import it again with override=<why> (the reason is audited).", overrides);
        }

        var now = clock.GetUtcNow();
        var review = new AccessReview
        {
            SystemName = system.Name,
            Period = period!,
            ControlId = control.Id,
            TaskId = task?.Id,
            ReviewerId = reviewer.Id,
            DueDate = task?.DueDate ?? QuarterEnd(period!).AddDays(control.EffectiveDueDays),
            PreviousReviewId = await PreviousReviewIdAsync(system.Name, period!, cancellationToken),
            SourceSha256 = Sha256(csv),
            ImportProfile = parsed.Profile!.Name,
            ImportSettings = settings.Describe(),
            CreatedBy = actor,
            CreatedAt = now,
            OverrideReason = overrides.Count > 0 ? overrideReason!.Trim() : null,
        };
        db.Add(review);
        var snapshot = await SnapshotAsync(review, parsed.Rows, parsed.Profile!, reviewer, system, cancellationToken);
        var items = snapshot.Items;
        audit.Record(actor, "access-review.imported", $"access-review:{system.Name}/{period}", new()
        {
            ["system"] = system.Name,
            ["period"] = period,
            ["status"] = "draft",
            ["reviewer"] = reviewer.Email,
            ["control"] = control.Id,
            ["accounts"] = Invariant(items.Count),
            ["new"] = Invariant(items.Count(i => i.Change == AccountChange.New)),
            ["flagged"] = Invariant(items.Count(i => i.Flags != AccountFlags.None)),
            ["removed"] = Invariant(review.RemovedCount),
            ["sha256"] = review.SourceSha256,
            ["profile"] = review.ImportProfile,
            ["settings"] = review.ImportSettings ?? "",
            ["revoked_gone"] = Invariant(review.RevokedGoneCount),
            ["revoked_still_present"] = string.Join(",", snapshot.StillPresent.Order(StringComparer.Ordinal)),
        });
        if (review.OverrideReason is { } reason)
        {
            audit.Record(actor, "access-review.scope-overridden", $"access-review:{system.Name}/{period}", new() { ["why"] = string.Join(" ", overrides), ["reason"] = reason });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await RecordRevocationChecksAsync(review, snapshot, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Another import of the same system and period won the race; nothing of this one was saved.
            throw new AccessReviewImportException($"There is already a {system.Name} review for {period}; replace its file while it is a draft, or cancel it.", conflict: true);
        }

        return review;
    }

    /// <summary>A corrected export replaces a draft's accounts: the old snapshot goes, the new one is compared and flagged afresh, in one save.</summary>
    public async Task<AccessReview> ReplaceAsync(int reviewId, string csv, string actor, CancellationToken cancellationToken, ExportSettings? settings = null)
    {
        settings ??= ExportSettings.None;
        var review = await db.Set<AccessReview>().Include(r => r.Reviewer).SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken)
            ?? throw new AccessReviewImportException($"No access review {reviewId}.", notFound: true);
        if (!review.IsDraft)
        {
            throw Existing(review.SystemName, review.Period, review.Id, review.Status);
        }

        var parsed = AccountExport.Parse(csv, settings);
        if (!parsed.Ok)
        {
            throw new AccessReviewImportException($"The CSV was not imported (the draft keeps its accounts): {parsed.Errors[0]}", parsed.Errors);
        }

        var system = await db.Systems.Include(s => s.Owner).SingleAsync(s => s.Name == review.SystemName, cancellationToken);
        var previousSha = review.SourceSha256;
        var previousCount = review.AccountCount;
        db.RemoveRange(await db.Set<AccessReviewItem>().Where(i => i.ReviewId == reviewId).ToListAsync(cancellationToken));
        review.ReplaceSnapshot(Sha256(csv), parsed.Profile!.Name, settings.Describe());
        var snapshot = await SnapshotAsync(review, parsed.Rows, parsed.Profile!, review.Reviewer!, system, cancellationToken);
        audit.Record(actor, "access-review.replaced", $"access-review:{review.SystemName}/{review.Period}", new()
        {
            ["previous_sha256"] = previousSha,
            ["previous_accounts"] = Invariant(previousCount),
            ["sha256"] = review.SourceSha256,
            ["accounts"] = Invariant(snapshot.Items.Count),
            ["flagged"] = Invariant(snapshot.Items.Count(i => i.Flags != AccountFlags.None)),
            ["profile"] = review.ImportProfile,
            ["settings"] = review.ImportSettings ?? "",
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await RecordRevocationChecksAsync(review, snapshot, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new AccessReviewImportException($"The {review.SystemName} review for {review.Period} changed meanwhile (started or replaced); look at it again.", conflict: true);
        }

        return review;
    }

    /// <summary>The accounts added to a review, and last quarter's revocations the export checked (each gone, or still present).</summary>
    private sealed record Snapshot(List<AccessReviewItem> Items, List<AccessRevocation> Revocations, HashSet<string> StillPresent);

    /// <summary>
    /// Matches each row to a person, compares it with the previous review of the system, flags it, and adds it to the review
    /// (the caller saves). Sets the review's account, removed and revocation-check counts.
    /// </summary>
    private async Task<Snapshot> SnapshotAsync(AccessReview review, IReadOnlyList<AccountRow> rows, ImportProfile profile, Person reviewer, ScopedSystem system, CancellationToken cancellationToken)
    {
        // The previous review's snapshot and the directory are read once, not per account.
        var previousAccounts = review.PreviousReviewId is not { } previousId
            ? []
            : await db.Set<AccessReviewItem>().AsNoTracking().Where(i => i.ReviewId == previousId)
                .Select(i => new { i.AccountId, Account = new PreviousAccount(i.Role, i.Groups, i.AdminRoles, i.Mfa, i.AccountEnabled, i.AccountStatus, i.Entitlements) })
                .ToDictionaryAsync(i => i.AccountId, i => i.Account, StringComparer.Ordinal, cancellationToken);
        // Next quarter's check of last quarter's revocations: each revoked account must be gone (or disabled) now.
        var revocations = review.PreviousReviewId is not { } previous
            ? []
            : await db.Set<AccessRevocation>().Include(r => r.Item).Where(r => r.ReviewId == previous).ToListAsync(cancellationToken);
        var matcher = await IdentityMatcher.LoadAsync(db, system.Name, cancellationToken);
        var selfDecider = await SelfDeciderAsync(db, reviewer, system.OwnerId, cancellationToken);

        var dormantBefore = clock.GetUtcNow().AddDays(-options.Value.DormantAfterDays);
        var current = rows.ToDictionary(r => r.AccountId, StringComparer.Ordinal);
        var stillPresent = revocations.Where(r => current.TryGetValue(r.Item!.AccountId, out var row) && row.Enabled).Select(r => r.Item!.AccountId).ToHashSet(StringComparer.Ordinal);
        review.AccountCount = rows.Count;
        review.RemovedCount = previousAccounts.Keys.Count(id => !current.ContainsKey(id));
        review.RevokedGoneCount = revocations.Count - stillPresent.Count;
        review.RevokedStillPresentCount = stillPresent.Count;

        var items = new List<AccessReviewItem>(rows.Count);
        var compareExtras = profile.Name.StartsWith(GenericAccounts.Name, StringComparison.Ordinal);
        foreach (var row in rows)
        {
            var identity = matcher.Match(row);
            var flags = AccountAssessment.Flags(row, identity, reviewer.Id, dormantBefore, options.Value.PrivilegedRoles);
            if (stillPresent.Contains(row.AccountId))
            {
                flags |= AccountFlags.StillPresent;
            }

            var (change, summary) = AccountChanges.Compare(previousAccounts.GetValueOrDefault(row.AccountId), row, compareExtras);
            var item = AccessReviewItem.Create(row, identity, change, summary, flags, flags.HasFlag(AccountFlags.Self) ? selfDecider.Id : reviewer.Id);
            item.Review = review;
            items.Add(item);
        }

        db.AddRange(items);
        return new Snapshot(items, revocations, stillPresent);
    }

    /// <summary>Writes the check's result on each of last quarter's revocations once the review has its id (the flags already hold it).</summary>
    private async Task RecordRevocationChecksAsync(AccessReview review, Snapshot snapshot, CancellationToken cancellationToken)
    {
        if (snapshot.Revocations.Count == 0)
        {
            return;
        }

        foreach (var revocation in snapshot.Revocations)
        {
            revocation.Verify(review.Id, snapshot.StillPresent.Contains(revocation.Item!.AccountId));
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>What makes this review unusual enough to need an admin's stated reason: the system is out of scope, or the period is closed.</summary>
    internal static List<string> ScopeOverrides(ScopedSystem system, string period, Tasks.ControlTask? task)
    {
        var reasons = new List<string>();
        if (!system.InScope)
        {
            reasons.Add($"{system.Name} is out of the audit's scope.");
        }

        if (task is not null && !Tasks.ControlTask.AwaitingStatuses.Contains(task.Status))
        {
            reasons.Add($"The {period} occurrence of {task.ControlId} is closed ({task.Status.ToString().ToLowerInvariant()}).");
        }

        return reasons;
    }

    private static AccessReviewImportException Existing(string system, string period, int id, AccessReviewStatus status) => status == AccessReviewStatus.Draft
        ? new($"There is already a draft {system} review for {period} (id {id}). Replace its accounts with PUT /api/admin/access-reviews/{id}/accounts, or cancel it.", conflict: true)
        : new($"The {system} review for {period} (id {id}) is {status.ToString().ToLowerInvariant()}, so its snapshot cannot be replaced. " +
            $"If it is wrong, cancel it with a reason (POST /api/admin/access-reviews/{id}/cancel) and import again.", conflict: true);

    private async Task<int?> PreviousReviewIdAsync(string systemName, string period, CancellationToken cancellationToken) =>
        // A system has a handful of reviews (four a year), so the latest earlier period is picked in memory; cancelled ones never count.
        (await db.Set<AccessReview>().AsNoTracking().Where(r => r.SystemName == systemName && r.Status != AccessReviewStatus.Cancelled && r.Status != AccessReviewStatus.Draft)
            .Select(r => new { r.Id, r.Period }).ToListAsync(cancellationToken))
        .Where(r => string.CompareOrdinal(r.Period, period) < 0)
        .MaxBy(r => r.Period, StringComparer.Ordinal)?.Id;

    private static string Sha256(string csv) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(csv)));

    internal async Task<(ScopedSystem System, Control Control)> FindSystemAsync(string? name, string? controlId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new AccessReviewImportException("system is required, e.g. ?system=GitHub.");
        }

        var systems = await db.Systems.Include(s => s.Owner).ToListAsync(cancellationToken);
        var system = systems.FirstOrDefault(s => s.Matches(name.Trim()))
            ?? throw new AccessReviewImportException($"Unknown system '{name}'. Known systems: {string.Join(", ", systems.Where(s => s.InScope).Select(s => s.Name))}.");
        var candidates = await db.Controls.Include(c => c.Owner)
            .Where(c => c.SystemName == system.Name && c.EvidencedBy == EvidenceFlows.AccessReview && !c.Retired)
            .OrderBy(c => c.Id).ToListAsync(cancellationToken);
        return (system, BindControl(system.Name, controlId, candidates));
    }

    /// <summary>
    /// The control a review evidences: the one named, which must be bound to the system's access review, else the only
    /// control that is. Never guessed from titles: a wrong binding lets the real control be attested without a review.
    /// </summary>
    internal static Control BindControl(string system, string? controlId, IReadOnlyList<Control> candidates)
    {
        var listed = candidates.Count == 0 ? "none" : string.Join(", ", candidates.Select(c => $"{c.Id} ({c.Title})"));
        if (!string.IsNullOrWhiteSpace(controlId))
        {
            return candidates.FirstOrDefault(c => string.Equals(c.Id, controlId.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new AccessReviewImportException(
                    $"control '{controlId.Trim()}' is not evidenced by the {system} access review. Controls with 'evidenced_by: access_review' and 'system: {system}': {listed}.",
                    [.. candidates.Select(c => c.Id)]);
        }

        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new AccessReviewImportException(
                $"No control is evidenced by the {system} access review. In controls.yaml give the access-review control 'evidenced_by: access_review' and 'system: {system}', then import again."),
            _ => throw new AccessReviewImportException(
                $"More than one control is evidenced by the {system} access review: {listed}. Name the one this review evidences with ?control=<id>.",
                [.. candidates.Select(c => c.Id)]),
        };
    }

    internal async Task<Person> FindReviewerAsync(string? email, ScopedSystem system, Control? control, CancellationToken cancellationToken)
    {
        Person? reviewer;
        if (!string.IsNullOrWhiteSpace(email))
        {
            var normalized = EmailAddress.Normalize(email);
            reviewer = await db.People.SingleOrDefaultAsync(p => p.Email == normalized, cancellationToken)
                ?? throw new AccessReviewImportException($"reviewer '{email}' is not in the people directory.");
        }
        else
        {
            reviewer = control?.Owner ?? system.Owner
                ?? throw new AccessReviewImportException($"{system.Name} has no access-review control owner or system owner; pass ?reviewer=<email>.");
        }

        return reviewer.IsActive ? reviewer : throw new AccessReviewImportException($"reviewer {reviewer.Email} is no longer active in the directory.");
    }

    /// <summary>Who decides the reviewer's own accounts: their manager, else the system owner's manager, else a compliance admin.</summary>
    internal static async Task<Person> SelfDeciderAsync(ComplianceDbContext db, Person reviewer, int? systemOwnerId, CancellationToken cancellationToken)
    {
        var candidates = new List<int?> { reviewer.ManagerId };
        if (systemOwnerId is { } ownerId)
        {
            candidates.Add(await db.People.Where(p => p.Id == ownerId).Select(p => p.ManagerId).SingleOrDefaultAsync(cancellationToken));
        }

        foreach (var id in candidates.OfType<int>().Where(id => id != reviewer.Id))
        {
            if (await db.People.SingleOrDefaultAsync(p => p.Id == id && p.Status == PersonStatus.Active, cancellationToken) is { } person)
            {
                return person;
            }
        }

        var admins = await db.People.Where(p => p.Status == PersonStatus.Active && p.Id != reviewer.Id).OrderBy(p => p.Id).ToListAsync(cancellationToken);
        return admins.FirstOrDefault(p => p.Has(PersonRoles.ComplianceAdmin))
            ?? throw new AccessReviewImportException($"Nobody but {reviewer.Email} could decide on their own accounts: give them a manager in the directory.");
    }

    internal static DateOnly QuarterEnd(string period)
    {
        var year = int.Parse(period[..4], CultureInfo.InvariantCulture);
        var quarter = period[6] - '0';
        return new DateOnly(year, quarter * 3, 1).AddMonths(1).AddDays(-1);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{4}-Q[1-4]$")]
    private static partial Regex QuarterPattern();
}
