using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Data;

/// <summary>SQLite (default): a file under the data directory, WAL mode.</summary>
public sealed class SqliteComplianceDbContext(DbContextOptions<SqliteComplianceDbContext> options) : ComplianceDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or sort DateTimeOffset in SQL; store UTC ticks so time-window queries run in the database.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }
}
