using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.AccessReviews.Imports;
using ComplianceBot.Audit;
using ComplianceBot.Controls;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.Systems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.AccessReviews;

/// <summary>Why an import was refused; <see cref="Conflict"/> when the review already exists.</summary>
public sealed class AccessReviewImportException(string message, IReadOnlyList<string>? problems = null, bool conflict = false) : Exception(message)
{
    public IReadOnlyList<string> Problems { get; } = problems ?? [];
    public bool Conflict { get; } = conflict;
}

/// <summary>
/// Creates a review from a system's account export: an immutable snapshot, each account tagged against the previous
/// review of the system and flagged, saved in one unit (nothing half-imported), then the reviewer is told.
/// </summary>
public sealed partial class AccessReviewImporter(
    ComplianceDbContext db,
    AuditTrail audit,
    OutboxWriter outbox,
    AccessReviewReminders reminders,
    IOptions<AccessReviewOptions> options,
    TimeProvider clock)
{
    /// <param name="controlId">The control the review evidences; optional when exactly one control of the system is <c>evidenced_by: access_review</c>.</param>
    /// <param name="settings">What the importer was told about the file (profile, date order, column mapping); none by default.</param>
    public async Task<AccessReview> ImportAsync(string systemName, string period, string? reviewerEmail, string csv, string actor, CancellationToken cancellationToken, string? controlId = null, ExportSettings? settings = null)
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

        var profile = parsed.Profile!;

        if (await db.Set<AccessReview>().AnyAsync(r => r.SystemName == system.Name && r.Period == period, cancellationToken))
        {
            throw new AccessReviewImportException($"There is already a {system.Name} review for {period}; its snapshot cannot be replaced.", conflict: true);
        }

        var task = await db.ControlTasks.AsNoTracking().SingleOrDefaultAsync(t => t.ControlId == control.Id && t.Period == period, cancellationToken);
        var quarterEnd = QuarterEnd(period!);
        var due = task?.DueDate ?? quarterEnd.AddDays(control.EffectiveDueDays);

        // The previous review's snapshot and the directory are read once, not per account.
        // A system has a handful of reviews (four a year), so the latest earlier period is picked in memory.
        var previous = (await db.Set<AccessReview>().AsNoTracking().Where(r => r.SystemName == system.Name)
                .Select(r => new { r.Id, r.Period }).ToListAsync(cancellationToken))
            .Where(r => string.CompareOrdinal(r.Period, period) < 0)
            .MaxBy(r => r.Period, StringComparer.Ordinal);
        var previousAccounts = previous is null
            ? []
            : await db.Set<AccessReviewItem>().AsNoTracking().Where(i => i.ReviewId == previous.Id)
                .Select(i => new { i.AccountId, Account = new PreviousAccount(i.Role, i.Groups, i.AdminRoles, i.Mfa, i.AccountEnabled, i.AccountStatus, i.Entitlements) })
                .ToDictionaryAsync(i => i.AccountId, i => i.Account, StringComparer.Ordinal, cancellationToken);
        // Next quarter's check of last quarter's revocations: each revoked account must be gone (or disabled) now.
        var revocations = previous is null
            ? []
            : await db.Set<AccessRevocation>().Include(r => r.Item).Where(r => r.ReviewId == previous.Id).ToListAsync(cancellationToken);
        var matcher = await IdentityMatcher.LoadAsync(db, system.Name, cancellationToken);
        var selfDecider = await SelfDeciderAsync(db, reviewer, system.OwnerId, cancellationToken);

        var now = clock.GetUtcNow();
        var dormantBefore = now.AddDays(-options.Value.DormantAfterDays);
        var current = parsed.Rows.ToDictionary(r => r.AccountId, StringComparer.Ordinal);
        var stillPresent = revocations.Where(r => current.TryGetValue(r.Item!.AccountId, out var row) && row.Enabled).Select(r => r.Item!.AccountId).ToHashSet(StringComparer.Ordinal);
        var review = new AccessReview
        {
            SystemName = system.Name,
            Period = period!,
            ControlId = control.Id,
            TaskId = task?.Id,
            ReviewerId = reviewer.Id,
            DueDate = due,
            PreviousReviewId = previous?.Id,
            AccountCount = parsed.Rows.Count,
            RemovedCount = previousAccounts.Keys.Count(id => !current.ContainsKey(id)),
            SourceSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(csv))),
            ImportProfile = profile.Name,
            ImportSettings = settings.Describe(),
            RevokedGoneCount = revocations.Count - stillPresent.Count,
            RevokedStillPresentCount = stillPresent.Count,
            CreatedBy = actor,
            CreatedAt = now,
        };
        db.Add(review);

        var items = new List<AccessReviewItem>(parsed.Rows.Count);
        var compareExtras = profile.Name.StartsWith(GenericAccounts.Name, StringComparison.Ordinal);
        foreach (var row in parsed.Rows)
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
        var newCount = items.Count(i => i.Change == AccountChange.New);
        var flagged = items.Count(i => i.Flags != AccountFlags.None);
        audit.Record(actor, "access-review.imported", $"access-review:{system.Name}/{period}", new()
        {
            ["system"] = system.Name,
            ["period"] = period,
            ["reviewer"] = reviewer.Email,
            ["accounts"] = Invariant(items.Count),
            ["new"] = Invariant(newCount),
            ["flagged"] = Invariant(flagged),
            ["removed"] = Invariant(review.RemovedCount),
            ["sha256"] = review.SourceSha256,
            ["profile"] = profile.Name,
            ["settings"] = review.ImportSettings ?? "",
            ["revoked_gone"] = Invariant(review.RevokedGoneCount),
            ["revoked_still_present"] = string.Join(",", stillPresent.Order(StringComparer.Ordinal)),
        });

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            // The check's result is written on each revocation once the review has its id (the flags above already hold it).
            foreach (var revocation in revocations)
            {
                revocation.Verify(review.Id, stillPresent.Contains(revocation.Item!.AccountId));
            }

            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Another import of the same system and period won the race; nothing of this one was saved.
            throw new AccessReviewImportException($"There is already a {system.Name} review for {period}; its snapshot cannot be replaced.", conflict: true);
        }

        await reminders.PlanReviewAsync(review, cancellationToken);
        if (items.Any(i => i.AssigneeId == selfDecider.Id))
        {
            await reminders.PlanDeciderAsync(review, selfDecider.Id, cancellationToken);
        }
        await NotifyAsync(review, reviewer, selfDecider, items.Count(i => i.AssigneeId == selfDecider.Id && selfDecider.Id != reviewer.Id), newCount, flagged, cancellationToken);
        return review;
    }

    /// <summary>"Q4 access review for GitHub: 42 accounts — 5 new, 3 flagged. Due 15 Jan."</summary>
    public static string Announcement(AccessReview review, int newCount, int flagged) =>
        $"{review.Quarter} access review for {review.SystemName}: {review.AccountCount} account{(review.AccountCount == 1 ? "" : "s")} — {newCount} new, {flagged} flagged. " +
        $"Due {review.DueDate.ToString("d MMM", CultureInfo.InvariantCulture)}.";

    /// <summary>Announces the review to its reviewer (and whoever decides the reviewer's own accounts), through the outbox.</summary>
    private async Task NotifyAsync(AccessReview review, Person reviewer, Person selfDecider, int selfItems, int newCount, int flagged, CancellationToken cancellationToken)
    {
        var start = new ReplyAction(AccessReviewFlow.StartAction, "Start", AccessReviewFlow.Data(("review", review.Id)), ActionStyle.Primary);
        Announce(review, reviewer, new Reply(Announcement(review, newCount, flagged))
        {
            Title = $"{review.SystemName} access review — {review.Period}",
            Fields = review.RemovedCount > 0 ? [new("Removed since the previous review", Invariant(review.RemovedCount))] : [],
            Actions = [start],
        });

        if (selfItems > 0)
        {
            Announce(review, selfDecider, new Reply(
                $"{reviewer.Name} is reviewing {review.SystemName} access for {review.Period}. {selfItems} of the accounts belong to {reviewer.Name}, " +
                $"and nobody reviews their own access, so please decide on {(selfItems == 1 ? "it" : "them")}. Due {review.DueDate.ToString("d MMM", CultureInfo.InvariantCulture)}.")
            {
                Title = $"{review.SystemName} access review — {review.Period}",
                Actions = [start],
            });
        }

        // The announcement's button needs the review's id, so it is saved right after the import rather than with it;
        // the reminder ladder planned for the review reaches the reviewer even if this host stops in between.
        await db.SaveChangesAsync(cancellationToken);
        await outbox.DeliverAsync(cancellationToken);
    }

    private void Announce(AccessReview review, Person person, Reply reply) =>
        outbox.ToPerson(person, reply, $"access-review:{review.Id}:announced:{person.Id}", "access-review.notice", $"access-review:{review.Id}");

    private async Task<(ScopedSystem System, Control Control)> FindSystemAsync(string? name, string? controlId, CancellationToken cancellationToken)
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

    private async Task<Person> FindReviewerAsync(string? email, ScopedSystem system, Control? control, CancellationToken cancellationToken)
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
