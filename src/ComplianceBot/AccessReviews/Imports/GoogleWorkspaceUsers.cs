namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// The Google Workspace user download (Admin console → Directory → Users → Download users, CSV): the bracketed column
/// names are Google's own. "Never logged in" is no activity; suspended users cannot sign in. The download has no admin
/// roles, so every account's role is "user" (the job title is kept with the account, not read as a role).
/// </summary>
public static class GoogleWorkspaceUsers
{
    private const string EmailColumn = "Email Address [Required]";
    private const string LastSignIn = "Last Sign In [READ ONLY]";

    public static readonly ImportProfile Profile = new()
    {
        Name = "google-workspace-users",
        Title = "Google Workspace users export",
        Signature = [[EmailColumn], ["Status [READ ONLY]"], [LastSignIn]],
        ActivityColumns = [LastSignIn],
        Read = Read,
    };

    private static AccountRow Read(ExportRecord record)
    {
        var email = record.Required(EmailColumn);
        var status = record.Get("Status [READ ONLY]");
        var name = $"{record.Get("First Name [Required]")} {record.Get("Last Name [Required]")}".Trim();
        var orgUnit = record.Get("Org Unit Path [Required]");
        var lastSignIn = record.Date(LastSignIn);
        return new AccountRow(record.Line, email, name.Length > 0 ? name : email, record.Email(EmailColumn),
            "user", lastSignIn,
            record.Json(["Status [READ ONLY]", "Org Unit Path [Required]", "Employee Title", "2sv Enrolled [READ ONLY]", "2sv Enforced [READ ONLY]"]))
        {
            Groups = orgUnit.Length > 0 ? [$"OU {orgUnit}"] : [],
            Mfa = record.Flag("2sv Enrolled [READ ONLY]"),
            Status = status,
            Enabled = !status.Equals("Suspended", StringComparison.OrdinalIgnoreCase) && !status.Equals("Archived", StringComparison.OrdinalIgnoreCase),
            LastActivitySource = lastSignIn is null ? null : LastSignIn,
        };
    }
}
