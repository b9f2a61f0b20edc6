using ComplianceBot.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComplianceBot.Data;

public static class DataExtensions
{
    /// <summary>
    /// Registers the DbContext for the configured provider. The data directory holds the SQLite file and evidence.
    /// Contexts are pooled: building one per chat turn was a measurable share of a turn's CPU, and ours keep no state of
    /// their own (interceptors are singletons), so a reset context is as good as a new one.
    /// Each provider's model is compiled (Data/CompiledModels, written by <c>dotnet ef dbcontext optimize</c> from
    /// scripts/add-migration.sh): building it from OnModelCreating took 1.2 s of a cold start. CompiledModelTests fail
    /// when the code's model and the compiled one differ.
    /// </summary>
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration("Database");
        builder.Services.AddSingleton<AuditChainInterceptor>();
        builder.Services.AddSingleton<ImmutableRecordsInterceptor>();
        builder.Services.AddSingleton<Outbox.OutboxWakeupInterceptor>();
        builder.Services.AddScoped<AuditTrail>();

        var (provider, connectionString) = DatabaseSettings.From(builder.Configuration);
        switch (provider)
        {
            case DatabaseProvider.SqlServer:
                builder.Services.AddDbContextPool<ComplianceDbContext, SqlServerComplianceDbContext>((sp, options) => options
                    .UseModel(CompiledModels.SqlServer.SqlServerComplianceDbContextModel.Instance)
                    .UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure())
                    .ConfigureWarnings(warnings => Strict(warnings, builder.Configuration))
                    .AddInterceptors(sp.GetRequiredService<ImmutableRecordsInterceptor>(), sp.GetRequiredService<AuditChainInterceptor>(), sp.GetRequiredService<Outbox.OutboxWakeupInterceptor>()));
                break;
            case DatabaseProvider.Postgres:
                builder.Services.AddDbContextPool<ComplianceDbContext, PostgresComplianceDbContext>((sp, options) => options
                    .UseModel(CompiledModels.Postgres.PostgresComplianceDbContextModel.Instance)
                    .UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure())
                    .ConfigureWarnings(warnings => Strict(warnings, builder.Configuration))
                    .AddInterceptors(sp.GetRequiredService<ImmutableRecordsInterceptor>(), sp.GetRequiredService<AuditChainInterceptor>(), sp.GetRequiredService<Outbox.OutboxWakeupInterceptor>()));
                break;
            default:
                connectionString ??= $"Data Source={Path.Combine(DataDirectory(builder.Configuration, builder.Environment), "compliancebot.db")}";
                builder.Services.AddDbContextPool<ComplianceDbContext, SqliteComplianceDbContext>((sp, options) => options
                    .UseModel(CompiledModels.Sqlite.SqliteComplianceDbContextModel.Instance)
                    .UseSqlite(connectionString)
                    .ConfigureWarnings(warnings => Strict(warnings, builder.Configuration))
                    .AddInterceptors(sp.GetRequiredService<ImmutableRecordsInterceptor>(), sp.GetRequiredService<AuditChainInterceptor>(), sp.GetRequiredService<Outbox.OutboxWakeupInterceptor>(), new SqliteBusyTimeout()));
                break;
        }

        return builder;
    }

    /// <summary>
    /// With Database:StrictQueries (every test host sets it) a query that takes the first N rows without ordering them
    /// fails loudly: which rows it returns would be up to the database. Otherwise it stays EF's warning in the log. A
    /// setting rather than the environment because EF's compiled queries are bound to one model per process, and the
    /// options (warnings included) must be the same for every host a test process starts.
    /// </summary>
    private static void Strict(WarningsConfigurationBuilder warnings, IConfiguration configuration)
    {
        // Migrate would otherwise build the migrations' model snapshot and diff it against the model at every start
        // (about a second of a cold start); MigrationTests make the same check for every provider before anything ships.
        warnings.Ignore(RelationalEventId.PendingModelChangesWarning);
        if (configuration.GetValue("Database:StrictQueries", false))
        {
            warnings.Throw(CoreEventId.RowLimitingOperationWithoutOrderByWarning);
        }
    }

    /// <summary>The folder for the SQLite file and evidence (setting DataDirectory, default ./data under the content root).</summary>
    public static string DataDirectory(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration["DataDirectory"] ?? "data";
        var path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Applies migrations (when enabled) and switches SQLite to WAL so readers never block the writer.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        var options = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        if (options.MigrateOnStartup)
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    public static bool IsUniqueViolation(this DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */,
        Microsoft.Data.SqlClient.SqlException sql => sql.Number is 2601 or 2627,
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
