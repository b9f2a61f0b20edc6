namespace ComplianceBot.Admin;

/// <summary>What an API key may do. A key holds one or more roles; each policy in <see cref="ApiPolicies"/> names the roles it accepts.</summary>
[Flags]
public enum ApiRoles
{
    None = 0,

    /// <summary>Everything under /api/admin (compliance admins only).</summary>
    Admin = 1,

    /// <summary>Read-only: the export, audit verification and the task population.</summary>
    Auditor = 2,

    /// <summary>Machine callers: /api/changes (CI/CD) and /api/ask.</summary>
    Integration = 4,
}
