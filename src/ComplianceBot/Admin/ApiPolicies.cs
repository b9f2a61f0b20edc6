namespace ComplianceBot.Admin;

/// <summary>Authorization policy names for the HTTP API; every route group names one (see README, "Keys and roles").</summary>
public static class ApiPolicies
{
    public const string Admin = "admin";
    public const string Auditor = "auditor";
    public const string Integration = "integration";

    /// <summary>/api/ask when the web chat is off: admin or integration keys, or the configured Ask:ApiKey.</summary>
    public const string Ask = "ask";

    /// <summary>Role claim of the configured Ask:ApiKey (it may only ask).</summary>
    public const string AskRole = "ask";
}
