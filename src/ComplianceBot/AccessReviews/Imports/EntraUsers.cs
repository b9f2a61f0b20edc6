namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// The Microsoft Entra ID user download (Users → Download users) or a Graph export of the same properties. The portal
/// download has no sign-in times; when signInActivity's columns are exported, activity is the latest of them.
/// </summary>
public static class EntraUsers
{
    private static readonly string[] Activity =
    [
        "signInActivity.lastSignInDateTime", "lastSignInDateTime",
        "signInActivity.lastNonInteractiveSignInDateTime", "lastNonInteractiveSignInDateTime",
        "signInActivity.lastSuccessfulSignInDateTime", "lastSuccessfulSignInDateTime",
    ];

    public static readonly ImportProfile Profile = new()
    {
        Name = "entra-users",
        Title = "Microsoft Entra ID users export",
        Signature = [["userPrincipalName"], ["accountEnabled"], ["userType"]],
        ActivityColumns = Activity,
        Read = Read,
    };

    private static AccountRow Read(ExportRecord record)
    {
        var upn = record.Required("userPrincipalName");
        var userType = record.Get("userType") is { Length: > 0 } type ? type : "Member";
        var adminRoles = record.List("directoryRoles", "adminRoles", "roles");
        var (lastActivity, source) = record.Latest(Activity);
        var email = record.Email("mail");
        return new AccountRow(record.Line, upn, record.Get("displayName") is { Length: > 0 } name ? name : upn,
            email.Length > 0 ? email : record.Email("userPrincipalName"),
            adminRoles.Count > 0 ? $"{userType}, {string.Join(", ", adminRoles)}" : userType,
            lastActivity,
            record.Json(["objectId", "id", "userType", "accountEnabled", "jobTitle", "department"]))
        {
            Identifiers = [new AccountIdentifier("upn", upn)],
            Groups = record.List("groups", "memberOf"),
            AdminRoles = adminRoles,
            Status = userType,
            Enabled = record.Flag("accountEnabled") ?? true,
            LastActivitySource = source,
            ActivityKnown = record.Has(Activity),
        };
    }
}
