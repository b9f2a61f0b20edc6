namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// An Okta users report: the API's user fields (status, lastLogin, profile.login, profile.email) or the admin report's
/// labels (Login, Status, Last Login), with groups and admin roles when exported. SUSPENDED and DEPROVISIONED accounts
/// cannot sign in; LOCKED_OUT ones still exist and can be unlocked, so they count as enabled.
/// </summary>
public static class OktaUsers
{
    private static readonly string[] Login = ["profile.login", "login", "username", "okta username"];
    private static readonly string[] LastLogin = ["lastLogin", "last login"];
    private static readonly HashSet<string> CannotSignIn = new(StringComparer.OrdinalIgnoreCase) { "DEPROVISIONED", "SUSPENDED", "DEACTIVATED", "STAGED" };

    public static readonly ImportProfile Profile = new()
    {
        Name = "okta-users",
        Title = "Okta users report",
        Signature = [Login, ["status", "okta user status"], LastLogin],
        ActivityColumns = LastLogin,
        Read = Read,
    };

    private static AccountRow Read(ExportRecord record)
    {
        var login = record.Required(Login);
        var status = record.Required("status", "okta user status").ToUpperInvariant().Replace(' ', '_');
        var adminRoles = record.List("adminRoles", "admin roles", "admin_roles", "roles");
        var first = record.Get("profile.firstName", "first name");
        var last = record.Get("profile.lastName", "last name");
        var name = record.Get("profile.displayName", "user", "user fullname", "display name") is { Length: > 0 } display ? display
            : $"{first} {last}".Trim() is { Length: > 0 } full ? full : login;
        var lastLogin = record.Date(LastLogin);
        var email = record.Email("profile.email", "email", "primary email");
        return new AccountRow(record.Line, login, name, email.Length > 0 ? email : record.Email(Login),
            adminRoles.Count > 0 ? string.Join(", ", adminRoles) : "user", lastLogin,
            record.Json(["id", "status", "created", "activated", "statusChanged", "passwordChanged", "Authentication Source", "Last Password Change"]))
        {
            Identifiers = [new AccountIdentifier("login", login)],
            Groups = record.List("groups", "group memberships"),
            AdminRoles = adminRoles,
            Mfa = record.Has("mfa", "factors enrolled") ? record.Flag("mfa", "factors enrolled") : null,
            Status = status,
            Enabled = !CannotSignIn.Contains(status),
            LastActivitySource = lastLogin is null ? null : record.Column(LastLogin),
        };
    }
}
