namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// GitHub's organization member export (People → Export → CSV): login, display name, owner or member, two-factor,
/// last activity and, with SAML SSO, the member's SAML NameID, which is how a login finds its person.
/// </summary>
public static class GitHubOrgMembers
{
    public static readonly ImportProfile Profile = new()
    {
        Name = "github-org-members",
        Title = "GitHub organization member export",
        Signature = [["login"], ["role"], ["two_factor_enabled"], ["last_active"]],
        ActivityColumns = ["last_active"],
        Read = Read,
    };

    private static AccountRow Read(ExportRecord record)
    {
        var login = record.Required("login");
        var nameId = record.Get("saml_name_id");
        var role = record.Required("role");
        List<AccountIdentifier> identifiers = [new("login", login)];
        if (nameId.Length > 0)
        {
            identifiers.Add(new("nameid", nameId));
        }

        var lastActive = record.Date("last_active");
        return new AccountRow(record.Line, login, record.Get("name") is { Length: > 0 } name ? name : login,
            record.Email("email", "saml_name_id"), role.ToLowerInvariant(), lastActive,
            record.Json(["role", "two_factor_enabled", "saml_name_id", "public", "membership"]))
        {
            Identifiers = identifiers,
            AdminRoles = role.Equals("owner", StringComparison.OrdinalIgnoreCase) ? ["Organization owner"] : [],
            Mfa = record.Flag("two_factor_enabled"),
            LastActivitySource = lastActive is null ? null : "last_active",
        };
    }
}
