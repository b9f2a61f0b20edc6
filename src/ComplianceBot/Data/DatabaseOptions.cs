namespace ComplianceBot.Data;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    Postgres,
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the host starts (turn off where a DBA applies the scripts).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
