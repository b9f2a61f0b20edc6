using ComplianceBot.People;

namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// Our own columns (account_id, display_name, email, role, last_login, and optionally groups, admin_roles, mfa,
/// status, enabled); any other column is kept with the account. A column mapping names the file's own header for
/// each of our fields, which reads any other export.
/// </summary>
public static class GenericAccounts
{
    public const string Name = "generic";

    public static readonly string[] Fields = ["account_id", "display_name", "email", "role", "last_login", "groups", "admin_roles", "mfa", "status", "enabled"];
    public static readonly string[] RequiredFields = ["account_id", "display_name", "email", "role", "last_login"];

    public static readonly ImportProfile Profile = Create(null);

    /// <param name="map">Our field → the file's column; null for our own column names.</param>
    public static ImportProfile Create(IReadOnlyDictionary<string, string>? map)
    {
        string[] Col(string field) => map is not null && map.TryGetValue(field, out var column) ? [column] : [field];
        var signature = map is null
            ? RequiredFields.Select(f => new[] { f }).ToList()
            : [Col("account_id"), .. map.Keys.Where(f => f != "account_id").Select(Col)];
        var known = Fields.SelectMany(Col).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new ImportProfile
        {
            Name = map is null ? Name : "generic-mapped",
            Title = map is null ? "generic columns" : "generic columns with a column mapping",
            Signature = signature,
            ActivityColumns = Col("last_login"),
            Read = record =>
            {
                var accountId = record.Required(Col("account_id"));
                var lastLogin = record.Date(Col("last_login"));
                var email = record.Get(Col("email"));
                return new AccountRow(record.Line, accountId, record.Get(Col("display_name")), EmailAddress.Normalize(email), record.Get(Col("role")), lastLogin,
                    record.Others(known))
                {
                    Identifiers = EmailAddress.IsPlausible(accountId) ? [] : [new AccountIdentifier("login", accountId)],
                    Groups = record.List(Col("groups")),
                    AdminRoles = record.List(Col("admin_roles")),
                    Mfa = record.Flag(Col("mfa")),
                    Status = record.Get(Col("status")) is { Length: > 0 } status ? status : null,
                    Enabled = record.Flag(Col("enabled")) ?? !(record.Get(Col("status")).ToLowerInvariant() is "disabled" or "suspended" or "deprovisioned" or "inactive"),
                    LastActivitySource = lastLogin is null ? null : Col("last_login")[0],
                    ActivityKnown = record.Has(Col("last_login")),
                };
            },
        };
    }
}
