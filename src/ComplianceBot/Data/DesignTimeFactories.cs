using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ComplianceBot.Data;

/// <summary>Lets <c>dotnet ef</c> build each provider's context without starting the host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteComplianceDbContext>
{
    public SqliteComplianceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteComplianceDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerComplianceDbContext>
{
    public SqlServerComplianceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerComplianceDbContext>().UseSqlServer("Server=design-time;Database=ComplianceBot").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresComplianceDbContext>
{
    public PostgresComplianceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresComplianceDbContext>().UseNpgsql("Host=design-time;Database=compliancebot").Options);
}
