using ComplianceBot.Data;
using ComplianceBot.Data.CompiledModels.Postgres;
using ComplianceBot.Data.CompiledModels.Sqlite;
using ComplianceBot.Data.CompiledModels.SqlServer;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ComplianceBot.Tests.Data;

/// <summary>
/// The host runs on compiled models (Data/CompiledModels), which nothing regenerates on build: a change to an entity or
/// to OnModelCreating must be followed by scripts/compile-models.sh, or the host would map the old model.
/// </summary>
public sealed class CompiledModelTests
{

    [Fact]
    public void TheCompiledSqliteModelIsTheModelInCode()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        using var db = new SqliteComplianceDbContext(new DbContextOptionsBuilder<SqliteComplianceDbContext>().UseSqlite(connection).Options);

        AssertSame(db, SqliteComplianceDbContextModel.Instance, "SQLite");
    }

    [Fact]
    public void TheCompiledSqlServerModelIsTheModelInCode()
    {
        using var db = new SqlServerComplianceDbContext(new DbContextOptionsBuilder<SqlServerComplianceDbContext>().UseSqlServer("Server=unused;Database=ComplianceBot").Options);

        AssertSame(db, SqlServerComplianceDbContextModel.Instance, "SQL Server");
    }

    [Fact]
    public void TheCompiledPostgresModelIsTheModelInCode()
    {
        using var db = new PostgresComplianceDbContext(new DbContextOptionsBuilder<PostgresComplianceDbContext>().UseNpgsql("Host=unused;Database=compliancebot").Options);

        AssertSame(db, PostgresComplianceDbContextModel.Instance, "PostgreSQL");
    }

    [Fact]
    public void TheHostUsesTheCompiledModel()
    {
        using var app = new BotApplication();
        _ = app.CreateClient();
        using var scope = app.Scope();

        Assert.IsType<SqliteComplianceDbContextModel>(BotApplication.Db(scope).Model);
    }

    /// <summary>The mapping of every entity and the tables it maps to (EF's migration differ cannot read a compiled model).</summary>
    private static void AssertSame(DbContext db, IModel compiled, string provider)
    {
        var inCode = Shape(db.GetService<IDesignTimeModel>().Model).Concat(Tables(db.GetService<IDesignTimeModel>().Model)).ToList();
        var fromCompiled = Shape(compiled).Concat(Tables(compiled)).ToList();

        Assert.True(inCode.SequenceEqual(fromCompiled), $"Run scripts/compile-models.sh: the compiled {provider} model differs from the model in code:\n"
            + string.Join("\n", inCode.Except(fromCompiled).Select(line => "in code: " + line).Concat(fromCompiled.Except(inCode).Select(line => "compiled: " + line))));
    }

    private static IEnumerable<string> Tables(IModel model) => model.GetRelationalModel().Tables.OrderBy(t => t.Name, StringComparer.Ordinal).SelectMany(table =>
        table.Columns.Select(c => $"{table.Name}.{c.Name}: {c.StoreType} null={c.IsNullable} default={c.DefaultValueSql ?? c.DefaultValue}")
            .Concat(table.Indexes.Select(i => $"{table.Name} index {i.Name} ({string.Join(", ", i.Columns.Select(c => c.Name))}) unique={i.IsUnique} filter={i.Filter}"))
            .Concat(table.ForeignKeyConstraints.Select(f => $"{table.Name} fk {f.Name} -> {f.PrincipalTable.Name} {f.OnDeleteAction}")));

    private static IEnumerable<string> Shape(IModel model) => model.GetEntityTypes().OrderBy(e => e.Name, StringComparer.Ordinal).SelectMany(entity =>
        entity.GetProperties().Select(p => $"{entity.Name}.{p.Name}: {p.ClrType} null={p.IsNullable} max={p.GetMaxLength()} converter={p.GetValueConverter()?.GetType()} generated={p.ValueGenerated} concurrency={p.IsConcurrencyToken}")
            .Concat(entity.GetNavigations().Select(n => $"{entity.Name}.{n.Name} -> {n.TargetEntityType.Name} collection={n.IsCollection}"))
            .Concat(entity.GetKeys().Select(k => $"{entity.Name} key ({string.Join(", ", k.Properties.Select(p => p.Name))})"))
            .Concat(entity.GetForeignKeys().Select(f => $"{entity.Name} fk ({string.Join(", ", f.Properties.Select(p => p.Name))}) -> {f.PrincipalEntityType.Name} {f.DeleteBehavior} required={f.IsRequired}"))
            .Concat(entity.GetIndexes().Select(i => $"{entity.Name} index ({string.Join(", ", i.Properties.Select(p => p.Name))}) unique={i.IsUnique}"))
            .Concat([$"{entity.Name} filters={string.Join(", ", entity.GetDeclaredQueryFilters().Select(f => $"{f.Key}: {f.Expression}"))} table={entity.GetTableName()} discriminator={entity.FindDiscriminatorProperty()?.Name}"]));
}
