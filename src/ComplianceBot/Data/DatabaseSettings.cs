using ComplianceBot.Operations;

namespace ComplianceBot.Data;

/// <summary>The provider and connection string as configured, checked before anything is registered.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string? ConnectionString)
{
    public const string ConnectionStringKey = "ConnectionStrings:ComplianceDb";

    public static string AllowedProviders { get; } = string.Join(", ", Enum.GetNames<DatabaseProvider>());

    /// <exception cref="InvalidSettingException">An unknown provider, or a server provider without a connection string.</exception>
    public static DatabaseSettings From(IConfiguration configuration)
    {
        var configured = configuration["Database:Provider"];
        var provider = DatabaseProvider.Sqlite;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // By name only: Enum.TryParse would also take "2" or "Sqlite,Postgres".
            var name = Enum.GetNames<DatabaseProvider>().FirstOrDefault(n => n.Equals(configured.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidSettingException($"Database:Provider is '{configured}'; allowed values: {AllowedProviders}.");
            provider = Enum.Parse<DatabaseProvider>(name);
        }

        var connectionString = configuration.GetConnectionString("ComplianceDb") is { Length: > 0 } set && !string.IsNullOrWhiteSpace(set) ? set : null;
        if (connectionString is null && provider != DatabaseProvider.Sqlite)
        {
            var example = provider == DatabaseProvider.Postgres
                ? "Host=db.example.com;Database=compliancebot;Username=compliancebot;Password=..."
                : "Server=tcp:example.database.windows.net;Database=ComplianceBot;Authentication=Active Directory Default";
            throw new InvalidSettingException(
                $"{ConnectionStringKey} is not set; it is required when Database:Provider is {provider} (e.g. ConnectionStrings__ComplianceDb=\"{example}\").");
        }

        return new DatabaseSettings(provider, connectionString);
    }
}
