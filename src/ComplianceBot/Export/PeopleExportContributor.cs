using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Export;

/// <summary>people.csv: the directory as of the export — roles, manager, status, employment and dates — and the API key roles each person holds.</summary>
internal sealed class PeopleExportContributor(ComplianceDbContext db) : IExportContributor
{
    public static readonly string[] Header = ["email", "name", "title", "manager_email", "roles", "status", "time_zone", "preferred_channel", "api_key_roles", "employment", "department", "start_date", "end_date"];

    public int Order => 10;

    public async Task WriteAsync(ExportWriter export, CancellationToken cancellationToken)
    {
        var at = export.GeneratedAt;
        var keys = (await db.ApiKeys.AsNoTracking().Where(k => k.RevokedAt == null).Select(k => new { k.PersonId, k.Roles, k.ExpiresAt }).ToListAsync(cancellationToken))
            .Where(k => k.ExpiresAt is not { } expires || expires > at)
            .GroupBy(k => k.PersonId).ToDictionary(g => g.Key, g => g.Aggregate(Admin.ApiRoles.None, (roles, k) => roles | k.Roles));
        var people = db.People.AsNoTracking().Include(p => p.Manager).OrderBy(p => p.Email).AsAsyncEnumerable();
        await export.AddCsvAsync("people.csv", Header, people, p =>
        [
            p.Email, p.Name, p.Title, p.Manager?.Email, Flags(p.Roles), p.Status.ToString(), p.TimeZone, p.PreferredChannel.ToString(),
            keys.TryGetValue(p.Id, out var roles) ? Flags(roles) : null,
            p.Employment.ToString(), p.Department, Date(p.StartDate), Date(p.EndDate),
        ], cancellationToken);
    }

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string Flags<T>(T value) where T : struct, Enum =>
        string.Join(' ', Enum.GetValues<T>().Where(f => Convert.ToInt64(f, System.Globalization.CultureInfo.InvariantCulture) != 0 && value.HasFlag(f))
            .Select(f => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(f.ToString())));
}
