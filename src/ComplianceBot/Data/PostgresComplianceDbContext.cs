using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Data;

/// <summary>PostgreSQL (scale-out; the server database the multi-host tests run on).</summary>
public sealed partial class PostgresComplianceDbContext(DbContextOptions<PostgresComplianceDbContext> options) : ComplianceDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // timestamptz stores an instant and Npgsql refuses to write a non-zero offset; local times (reminder rungs in
        // the recipient's zone) are normalised to UTC on the way in. Columns stay timestamptz: readable and sortable.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcDateTimeOffsetConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        // Index filters are written once in SQL Server's [bracket] quoting (SQLite accepts it too); PostgreSQL needs "quotes".
        foreach (var index in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetDeclaredIndexes()))
        {
            if (index.GetFilter() is { } filter)
            {
                index.SetFilter(BracketQuoted().Replace(filter, "\"$1\""));
            }
        }
    }

    [GeneratedRegex(@"\[(\w+)\]")]
    private static partial Regex BracketQuoted();
}
