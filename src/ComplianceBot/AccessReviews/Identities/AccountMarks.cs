using ComplianceBot.Audit;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews.Identities;

/// <summary>An alias as the API shows it.</summary>
public sealed record AccountAliasDto(string System, string AccountId, string Person, string SetBy, DateTimeOffset SetAt);

/// <summary>A mark as the API shows it.</summary>
public sealed record AccountMarkDto(string System, string AccountId, string Kind, string Owner, string? Note, string SetBy, DateTimeOffset SetAt);

/// <summary>
/// Remembers who an account is ("this account is Priya") or what it is (service account, external, shared, not a
/// person, with an owner) for every later review of the system, and applies it at once to the account's undecided item
/// in an open review. One save per command, audited. The review card calls this for "This is…" and "Mark as…".
/// </summary>
public sealed class AccountMarks(ComplianceDbContext db, AuditTrail audit, TimeProvider clock)
{
    public static string? Describe(AccountMarkKind? kind) => kind switch
    {
        AccountMarkKind.ServiceAccount => "service account",
        AccountMarkKind.External => "external",
        AccountMarkKind.Shared => "shared",
        AccountMarkKind.NotAPerson => "not a person",
        _ => null,
    };

    /// <summary>"service account", "service", "bot", "external", "guest", "shared", "not a person"…; false for anything else.</summary>
    public static bool TryParseKind(string? text, out AccountMarkKind kind)
    {
        var normalized = (text ?? "").Trim().ToLowerInvariant().Replace('_', ' ').Replace('-', ' ');
        (var ok, kind) = normalized switch
        {
            "service account" or "service" or "serviceaccount" or "bot" or "integration" => (true, AccountMarkKind.ServiceAccount),
            "external" or "guest" or "vendor" or "contractor account" => (true, AccountMarkKind.External),
            "shared" or "shared account" => (true, AccountMarkKind.Shared),
            "not a person" or "notaperson" or "non person" or "test account" => (true, AccountMarkKind.NotAPerson),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>"This account is <paramref name="person"/>": remembered, and applied to the account's undecided item in open reviews.</summary>
    public async Task<AccountAliasDto> SetAliasAsync(string systemName, string accountId, Person person, string actor, CancellationToken cancellationToken)
    {
        var (system, account) = await KeyAsync(systemName, accountId, cancellationToken);
        var now = clock.GetUtcNow();
        var alias = await db.Set<AccountAlias>().SingleOrDefaultAsync(a => a.SystemName == system && a.AccountId == account, cancellationToken);
        if (alias is null)
        {
            alias = new AccountAlias { SystemName = system, AccountId = account, CreatedBy = actor };
            db.Add(alias);
        }

        alias.PersonId = person.Id;
        alias.CreatedBy = actor;
        alias.CreatedAt = now;
        // An alias says the account is a person's own: a mark saying otherwise no longer holds.
        db.RemoveRange(await db.Set<AccountMark>().Where(m => m.SystemName == system && m.AccountId == account).ToListAsync(cancellationToken));
        foreach (var item in await OpenItemsAsync(system, account, cancellationToken))
        {
            var reviewer = await db.People.SingleAsync(p => p.Id == item.Review!.ReviewerId, cancellationToken);
            var ownerId = await db.Systems.Where(s => s.Name == system).Select(s => s.OwnerId).SingleOrDefaultAsync(cancellationToken);
            var selfDecider = person.Id == reviewer.Id ? await AccessReviewImporter.SelfDeciderAsync(db, reviewer, ownerId, cancellationToken) : reviewer;
            item.Identify(person, "alias", reviewer.Id, selfDecider);
        }

        audit.Record(actor, "access-review.account-aliased", $"account:{system}/{account}", new() { ["person"] = person.Email });
        await db.SaveChangesAsync(cancellationToken);
        return new(system, account, person.Email, actor, now);
    }

    /// <summary>Marks the account (service account, external…) with its owner: remembered, and applied to open reviews.</summary>
    public async Task<AccountMarkDto> MarkAsync(string systemName, string accountId, AccountMarkKind kind, Person owner, string? note, string actor, CancellationToken cancellationToken)
    {
        if (!owner.IsActive)
        {
            throw new AccessReviewRuleException($"{owner.Name} has left; a marked account needs an owner who is still here.");
        }

        var (system, account) = await KeyAsync(systemName, accountId, cancellationToken);
        var now = clock.GetUtcNow();
        var mark = await db.Set<AccountMark>().SingleOrDefaultAsync(m => m.SystemName == system && m.AccountId == account, cancellationToken);
        if (mark is null)
        {
            mark = new AccountMark { SystemName = system, AccountId = account, CreatedBy = actor };
            db.Add(mark);
        }

        mark.Kind = kind;
        mark.OwnerId = owner.Id;
        mark.Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim()[..Math.Min(note.Trim().Length, 500)];
        mark.CreatedBy = actor;
        mark.CreatedAt = now;
        db.RemoveRange(await db.Set<AccountAlias>().Where(a => a.SystemName == system && a.AccountId == account).ToListAsync(cancellationToken));
        foreach (var item in await OpenItemsAsync(system, account, cancellationToken))
        {
            item.MarkAs(kind, owner);
        }

        audit.Record(actor, "access-review.account-marked", $"account:{system}/{account}", new()
        {
            ["kind"] = Describe(kind),
            ["owner"] = owner.Email,
            ["note"] = mark.Note,
        });
        await db.SaveChangesAsync(cancellationToken);
        return new(system, account, Describe(kind)!, owner.Email, mark.Note, actor, now);
    }

    /// <summary>Forgets the account's alias and mark (items already imported keep what they were imported with).</summary>
    public async Task<bool> ForgetAsync(string systemName, string accountId, string actor, CancellationToken cancellationToken)
    {
        var (system, account) = await KeyAsync(systemName, accountId, cancellationToken);
        var aliases = await db.Set<AccountAlias>().Where(a => a.SystemName == system && a.AccountId == account).ToListAsync(cancellationToken);
        var marks = await db.Set<AccountMark>().Where(m => m.SystemName == system && m.AccountId == account).ToListAsync(cancellationToken);
        db.RemoveRange(aliases);
        db.RemoveRange(marks);
        var removed = aliases.Count + marks.Count;
        if (removed > 0)
        {
            audit.Record(actor, "access-review.account-forgotten", $"account:{system}/{account}");
            await db.SaveChangesAsync(cancellationToken);
        }

        return removed > 0;
    }

    public async Task<(List<AccountAliasDto> Aliases, List<AccountMarkDto> Marks)> ListAsync(string? systemName, CancellationToken cancellationToken)
    {
        var aliases = db.Set<AccountAlias>().AsNoTracking();
        var marks = db.Set<AccountMark>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(systemName))
        {
            aliases = aliases.Where(a => a.SystemName == systemName);
            marks = marks.Where(m => m.SystemName == systemName);
        }

        var aliasRows = await aliases.OrderBy(a => a.SystemName).ThenBy(a => a.AccountId)
            .Select(a => new AccountAliasDto(a.SystemName, a.AccountId, a.Person!.Email, a.CreatedBy, a.CreatedAt)).Take(5000).ToListAsync(cancellationToken);
        var markRows = (await marks.OrderBy(m => m.SystemName).ThenBy(m => m.AccountId)
                .Select(m => new { m.SystemName, m.AccountId, m.Kind, Owner = m.Owner!.Email, m.Note, m.CreatedBy, m.CreatedAt }).Take(5000).ToListAsync(cancellationToken))
            .Select(m => new AccountMarkDto(m.SystemName, m.AccountId, Describe(m.Kind)!, m.Owner, m.Note, m.CreatedBy, m.CreatedAt)).ToList();
        return (aliasRows, markRows);
    }

    private async Task<List<AccessReviewItem>> OpenItemsAsync(string system, string account, CancellationToken cancellationToken) =>
        await db.Set<AccessReviewItem>().Include(i => i.Review)
            .Where(i => i.AccountId == account && i.Review!.SystemName == system && i.Review.Status == AccessReviewStatus.InReview
                && i.Decision != AccessDecision.Keep && i.Decision != AccessDecision.Revoke)
            .ToListAsync(cancellationToken);

    /// <summary>The system's own name (so "github" and "GitHub" are one system) and the trimmed account id.</summary>
    private async Task<(string System, string Account)> KeyAsync(string? system, string? account, CancellationToken cancellationToken)
    {
        var a = (account ?? "").Trim();
        if (a.Length is 0 or > 256)
        {
            throw new AccessReviewRuleException("Name the account id (at most 256 characters), as the export writes it.");
        }

        var systems = await db.Systems.AsNoTracking().ToListAsync(cancellationToken);
        var match = systems.FirstOrDefault(s => s.Matches((system ?? "").Trim()))
            ?? throw new AccessReviewRuleException($"Unknown system '{system}'. Known systems: {string.Join(", ", systems.Where(s => s.InScope).Select(s => s.Name))}.");
        return (match.Name, a);
    }
}
