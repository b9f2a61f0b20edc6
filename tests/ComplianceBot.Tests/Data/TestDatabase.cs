using ComplianceBot.Data;
using Npgsql;

namespace ComplianceBot.Tests.Data;

/// <summary>
/// The database a provider test runs on: SQLite (the host's file under its data directory) or a fresh PostgreSQL
/// database on the server named by <see cref="ServerVariable"/>, dropped on dispose. <c>.ci/run</c> starts a throw-away
/// PostgreSQL cluster and sets the variable; in CI (CI=true) a missing server fails the PostgreSQL cases instead of
/// leaving them out.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    /// <summary>A connection string to a PostgreSQL server whose user may create databases (e.g. Host=127.0.0.1;Port=5433;Username=postgres).</summary>
    public const string ServerVariable = "COMPLIANCEBOT_TEST_POSTGRES";

    private readonly string? _adminConnectionString;
    private readonly string? _name;

    private TestDatabase(DatabaseProvider provider, string? connectionString, string? adminConnectionString, string? name)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _adminConnectionString = adminConnectionString;
        _name = name;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>Null for SQLite: the host uses its own file.</summary>
    public string? ConnectionString { get; }

    /// <summary>The providers a provider test runs on here: SQLite always; PostgreSQL when a server is configured, and always in CI.</summary>
    public static TheoryData<string> Providers { get; } = ProvidersHere();

    public static TestDatabase Create(string provider) => Enum.Parse<DatabaseProvider>(provider) switch
    {
        DatabaseProvider.Sqlite => new TestDatabase(DatabaseProvider.Sqlite, null, null, null),
        DatabaseProvider.Postgres => CreatePostgres(),
        var other => throw new ArgumentOutOfRangeException(nameof(provider), other, "No test server for this provider."),
    };

    /// <summary>Points a host at this database (before it starts); hosts given the same database share it.</summary>
    public void Apply(IDictionary<string, string?> settings)
    {
        settings["Database:Provider"] = Provider.ToString();
        if (ConnectionString is not null)
        {
            settings[DatabaseSettings.ConnectionStringKey] = ConnectionString;
        }
    }

    public void Dispose()
    {
        if (_name is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_adminConnectionString);
        connection.Open();
        using var drop = connection.CreateCommand();
        drop.CommandText = $"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)";
        drop.ExecuteNonQuery();
    }

    private static TestDatabase CreatePostgres()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"PostgreSQL tests need a server: set {ServerVariable} to an admin connection string (.ci/run starts a throw-away cluster and sets it).");
        }

        var name = "compliancebot_test_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE \"{name}\"";
            create.ExecuteNonQuery();
        }

        var database = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new TestDatabase(DatabaseProvider.Postgres, database, server, name);
    }

    /// <summary>Whether PostgreSQL tests run here: a server is configured, or this is CI (where a missing one fails them).</summary>
    public static bool PostgresHere =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ServerVariable))
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static TheoryData<string> ProvidersHere()
    {
        var providers = new TheoryData<string> { nameof(DatabaseProvider.Sqlite) };
        if (PostgresHere)
        {
            providers.Add(nameof(DatabaseProvider.Postgres));
        }

        return providers;
    }
}
