namespace ComplianceBot.Channels.Teams;

/// <summary>
/// Our Teams settings (section "Teams"). The Bot Framework credentials use the SDK's standard top-level keys
/// (MicrosoftAppType, MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId), read by the SDK itself.
/// </summary>
public sealed class TeamsOptions
{
    /// <summary>
    /// Null (default): on when MicrosoftAppId is set, and in Development also without it (anonymous, for a local
    /// fake connector). True outside Development without MicrosoftAppId stops the host: authentication is never silently off.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>Where proactive messages go when we have no serviceUrl yet (Teams' global endpoint).</summary>
    public string ServiceUrl { get; set; } = "https://smba.trafficmanager.net/teams/";

    /// <summary>Tenant for proactive messages to shared channels; defaults to MicrosoftAppTenantId.</summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// Further tenants whose activities are accepted, besides MicrosoftAppTenantId and <see cref="TenantId"/>; an
    /// activity from any other tenant is refused with 403 (a multi-tenant app id would otherwise let any tenant in).
    /// </summary>
    public List<string> AllowedTenants { get; set; } = [];

    /// <summary>
    /// Hosts besides *.sharepoint.com that a file's downloadUrl may point to, as "host" (https, port 443) or
    /// "host:port" (tests and on-premises proxies). Teams puts files sent to a bot in the sender's OneDrive for Business.
    /// </summary>
    public List<string> AdditionalFileDownloadHosts { get; set; } = [];

    /// <summary>Shared channels by name ("compliance") → Teams channel conversation id ("19:…@thread.tacv2").</summary>
    public Dictionary<string, string> Channels { get; set; } = [];

    /// <summary>First retry delay for 429/412/502/504 from the Bot Connector; doubles each attempt, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public int MaxRetries { get; set; } = 4;

    /// <summary>How long a roster lookup (Teams user → email) is remembered, so an unknown user costs one lookup, not one per message.</summary>
    public TimeSpan RosterCacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a turn waits for the roster lookup, retries included. Teams gives up on an invoke after about 15 s, and
    /// the connector's retries alone can take that long; past this the user is answered as not linked, once, uncached.
    /// </summary>
    public TimeSpan RosterLookupTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The SDK's standard credential settings, read once at startup to decide the auth mode and to log it.</summary>
public sealed record BotCredentials(string? AppType, string? AppId, string? Password, string? TenantId)
{
    public const string SingleTenant = "SingleTenant";
    public const string UserAssignedMsi = "UserAssignedMSI";
    public const string MultiTenant = "MultiTenant";

    public static BotCredentials From(IConfiguration configuration) => new(
        NullIfEmpty(configuration["MicrosoftAppType"]),
        NullIfEmpty(configuration["MicrosoftAppId"]),
        NullIfEmpty(configuration["MicrosoftAppPassword"]),
        NullIfEmpty(configuration["MicrosoftAppTenantId"]));

    public bool IsAnonymous => AppId is null;

    public bool AnySet => AppType is not null || AppId is not null || Password is not null || TenantId is not null;

    /// <summary>The settings a complete configuration of this app type still lacks.</summary>
    public IReadOnlyList<string> Missing()
    {
        var type = AppType ?? MultiTenant;
        var missing = new List<string>();
        if (AppId is null)
        {
            missing.Add("MicrosoftAppId");
        }

        if (string.Equals(type, UserAssignedMsi, StringComparison.OrdinalIgnoreCase))
        {
            if (TenantId is null)
            {
                missing.Add("MicrosoftAppTenantId");
            }
        }
        else
        {
            if (Password is null)
            {
                missing.Add("MicrosoftAppPassword");
            }

            if (TenantId is null && !string.Equals(type, MultiTenant, StringComparison.OrdinalIgnoreCase))
            {
                missing.Add("MicrosoftAppTenantId");
            }
        }

        if (AppType is null)
        {
            missing.Add("MicrosoftAppType (SingleTenant or UserAssignedMSI)");
        }

        return missing;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
