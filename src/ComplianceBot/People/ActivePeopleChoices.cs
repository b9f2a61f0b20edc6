using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.People;

/// <summary>Active people matching what the user typed (name, email or title), for pickers over a real directory.</summary>
public sealed class ActivePeopleChoices(ComplianceDbContext db) : IChoiceSource
{
    public const string Name = "people.active";

    public string Dataset => Name;

    public async Task<IReadOnlyList<ChoiceOption>> SearchAsync(string query, int skip, int take, CancellationToken cancellationToken)
    {
        // LIKE is case-insensitive for these columns on SQLite (ASCII) and SQL Server's default collation.
        var pattern = "%" + query.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        var people = await db.People.AsNoTracking()
            .Where(p => p.Status == PersonStatus.Active)
            .Where(p => query.Length == 0 || EF.Functions.Like(p.Name, pattern, "\\") || EF.Functions.Like(p.Email, pattern, "\\") || (p.Title != null && EF.Functions.Like(p.Title, pattern, "\\")))
            .OrderBy(p => p.Name).ThenBy(p => p.Id).Skip(skip).Take(take)
            .Select(p => new { p.Email, p.Name, p.Title })
            .ToListAsync(cancellationToken);
        return [.. people.Select(p => Option(p.Email, p.Name, p.Title))];
    }

    public static ChoiceOption Option(string email, string name, string? title) => new(email, title is null ? name : $"{name} — {title}");
}
