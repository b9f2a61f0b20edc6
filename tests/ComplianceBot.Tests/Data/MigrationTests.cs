using ComplianceBot.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace ComplianceBot.Tests.Data;

public sealed class MigrationTests
{
    private static SqlServerComplianceDbContext SqlServerContext() =>
        new(new DbContextOptionsBuilder<SqlServerComplianceDbContext>().UseSqlServer("Server=unused;Database=ComplianceBot").Options);

    [Fact]
    public void TheSqliteMigrationsMatchTheModel()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        using var db = new SqliteComplianceDbContext(new DbContextOptionsBuilder<SqliteComplianceDbContext>().UseSqlite(connection).Options);

        Assert.False(db.Database.HasPendingModelChanges(), "Run scripts/add-migration.sh: the SQLite migrations are behind the model.");
    }

    [Fact]
    public void TheSqlServerMigrationsMatchTheModel()
    {
        using var db = SqlServerContext();

        Assert.False(db.Database.HasPendingModelChanges(), "Run scripts/add-migration.sh: the SQL Server migrations are behind the model.");
    }

    [Fact]
    public void ThePostgresMigrationsMatchTheModel()
    {
        using var db = new PostgresComplianceDbContext(new DbContextOptionsBuilder<PostgresComplianceDbContext>().UseNpgsql("Host=unused;Database=compliancebot").Options);

        Assert.False(db.Database.HasPendingModelChanges(), "Run scripts/add-migration.sh: the PostgreSQL migrations are behind the model.");
    }

    [Fact]
    public void EveryProviderHasTheSameMigrationsByName()
    {
        static string[] Names(DbContext db) => [.. db.Database.GetMigrations().Select(id => id[(id.IndexOf('_', StringComparison.Ordinal) + 1)..])];
        using var connection = new SqliteConnection("Data Source=:memory:");
        using var sqlite = new SqliteComplianceDbContext(new DbContextOptionsBuilder<SqliteComplianceDbContext>().UseSqlite(connection).Options);
        using var sqlServer = SqlServerContext();
        using var postgres = new PostgresComplianceDbContext(new DbContextOptionsBuilder<PostgresComplianceDbContext>().UseNpgsql("Host=unused;Database=compliancebot").Options);

        Assert.Equal(Names(sqlite), Names(sqlServer));
        Assert.Equal(Names(sqlite), Names(postgres));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TheHostMigratesAnEmptyDatabaseAndImportsTheKnowledge(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var app = new BotApplication();
        database.Apply(app.Settings);
        _ = app.CreateClient();
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);

        Assert.Equal(provider, db.GetType().Name.Replace("ComplianceDbContext", "", StringComparison.Ordinal));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        Assert.True(await db.Controls.AnyAsync());
        Assert.True(await db.People.AnyAsync(p => p.Email == "dana.reyes@acme.example"));
    }

    [Fact]
    public void TheSqlServerMigrationScriptIsValidTransactSql()
    {
        using var db = SqlServerContext();
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        var parser = new TSql170Parser(initialQuotedIdentifiers: true);
        parser.Parse(new StringReader(script), out var errors);

        Assert.Contains("CREATE TABLE [ControlTasks]", script);
        Assert.Empty(errors.Select(e => $"line {e.Line}: {e.Message}"));
    }

    [Fact]
    public async Task TheSqliteDatabaseIsMigratedAtStartupAndRunsInWalMode()
    {
        using var app = new BotApplication();
        _ = app.CreateClient();
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        Assert.StartsWith(app.DataDirectory, connection.DataSource, StringComparison.Ordinal);
    }
}
