using ComplianceBot.AccessReviews.Imports;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews.Identities;

/// <summary>
/// Finds who an account of a system belongs to, in this order: an alias someone set ("this account is Priya"), a mark
/// (service account, external… with its owner), the email, the SAML NameID or UPN, then the login (the directory's
/// user name, an email-shaped login, or the local part of exactly one person's address). Plus-addressing is ignored.
/// </summary>
public sealed class IdentityMatcher
{
    private readonly Dictionary<string, (int Id, PersonStatus Status)> byEmail;
    private readonly Dictionary<string, (int Id, PersonStatus Status)> byUserName;
    private readonly Dictionary<string, (int Id, PersonStatus Status)?> byLocalPart;
    private readonly Dictionary<int, PersonStatus> statusById;
    private readonly Dictionary<string, int> aliases;
    private readonly Dictionary<string, (AccountMarkKind Kind, int OwnerId)> marks;

    public IdentityMatcher(
        IEnumerable<(int Id, string Email, string? UserName, PersonStatus Status)> people,
        IReadOnlyDictionary<string, int> aliases,
        IReadOnlyDictionary<string, (AccountMarkKind Kind, int OwnerId)> marks)
    {
        var list = people.ToList();
        // Active people win a shared address or login over leavers (a rehire keeps the address).
        var ordered = list.OrderBy(p => p.Status == PersonStatus.Active ? 0 : 1).ThenBy(p => p.Id).ToList();
        byEmail = ordered.GroupBy(p => EmailAddress.Canonical(p.Email), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (g.First().Id, g.First().Status), StringComparer.Ordinal);
        byUserName = ordered.Where(p => !string.IsNullOrWhiteSpace(p.UserName))
            .GroupBy(p => p.UserName!.Trim().ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (g.First().Id, g.First().Status), StringComparer.Ordinal);
        // A local part shared by two people ("alex" at two domains) identifies nobody.
        byLocalPart = ordered.GroupBy(p => LocalPart(EmailAddress.Canonical(p.Email)), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Id).Distinct().Count() == 1 ? ((int, PersonStatus)?)(g.First().Id, g.First().Status) : null, StringComparer.Ordinal);
        statusById = list.ToDictionary(p => p.Id, p => p.Status);
        this.aliases = new(aliases, StringComparer.OrdinalIgnoreCase);
        this.marks = new(marks, StringComparer.OrdinalIgnoreCase);
    }

    public static async Task<IdentityMatcher> LoadAsync(ComplianceDbContext db, string systemName, CancellationToken cancellationToken)
    {
        var people = await db.People.AsNoTracking().Select(p => new { p.Id, p.Email, p.UserName, p.Status }).ToListAsync(cancellationToken);
        var aliases = await db.Set<AccountAlias>().AsNoTracking().Where(a => a.SystemName == systemName)
            .ToDictionaryAsync(a => a.AccountId, a => a.PersonId, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var marks = await db.Set<AccountMark>().AsNoTracking().Where(m => m.SystemName == systemName)
            .ToDictionaryAsync(m => m.AccountId, m => (m.Kind, m.OwnerId), StringComparer.OrdinalIgnoreCase, cancellationToken);
        return new([.. people.Select(p => (p.Id, p.Email, p.UserName, p.Status))], aliases, marks);
    }

    public AccountIdentity Match(AccountRow row)
    {
        if (aliases.TryGetValue(row.AccountId, out var aliasId) && statusById.TryGetValue(aliasId, out var aliasStatus))
        {
            return new(aliasId, "alias", aliasStatus, null, null);
        }

        if (marks.TryGetValue(row.AccountId, out var mark))
        {
            return new(null, null, null, mark.Kind, mark.OwnerId);
        }

        if (row.Email.Length > 0 && byEmail.TryGetValue(EmailAddress.Canonical(row.Email), out var byMail))
        {
            return new(byMail.Id, "email", byMail.Status, null, null);
        }

        foreach (var identifier in row.Identifiers.Where(i => i.Kind != "login").Concat(row.Identifiers.Where(i => i.Kind == "login")))
        {
            if (Find(identifier) is { } found)
            {
                return new(found.Id, identifier.Kind, found.Status, null, null);
            }
        }

        return AccountIdentity.Nobody;
    }

    private (int Id, PersonStatus Status)? Find(AccountIdentifier identifier)
    {
        var value = identifier.Value.Trim();
        if (value.Length == 0)
        {
            return null;
        }

        if (EmailAddress.IsPlausible(value) && byEmail.TryGetValue(EmailAddress.Canonical(value), out var byMail))
        {
            return byMail;
        }

        if (byUserName.TryGetValue(value.ToLowerInvariant(), out var byName))
        {
            return byName;
        }

        // A bare login ("priya.nair") is the local part of one person's address; an email-shaped value already had its chance.
        return identifier.Kind == "login" && !value.Contains('@', StringComparison.Ordinal)
            && byLocalPart.TryGetValue(value.ToLowerInvariant(), out var byLocal) ? byLocal : null;
    }

    private static string LocalPart(string email) => email.IndexOf('@', StringComparison.Ordinal) is var at and > 0 ? email[..at] : email;
}
