using System.Globalization;
using ComplianceBot.People;

namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// The AWS IAM credential report (IAM console → Credential report, or GetCredentialReport): one row per IAM user plus
/// the root user "&lt;root_account&gt;". It has no email, so accounts match people by login or alias; activity is the
/// latest of the password and both access keys.
/// </summary>
public static class AwsCredentialReport
{
    private static readonly string[] Activity = ["password_last_used", "access_key_1_last_used_date", "access_key_2_last_used_date"];

    public static readonly ImportProfile Profile = new()
    {
        Name = "aws-iam-credential-report",
        Title = "AWS IAM credential report",
        Signature = [["user"], ["arn"], ["password_enabled"], ["password_last_used"], ["mfa_active"], ["access_key_1_active"]],
        ActivityColumns = Activity,
        Read = Read,
    };

    private static AccountRow Read(ExportRecord record)
    {
        var user = record.Required("user");
        var arn = record.Get("arn");
        var root = user == "<root_account>";
        var (lastActivity, source) = record.Latest(Activity);
        var keys = new List<string>();
        var anyKeyActive = false;
        foreach (var n in new[] { 1, 2 })
        {
            var active = record.Flag($"access_key_{n}_active") ?? false;
            anyKeyActive |= active;
            var lastUsed = record.Date($"access_key_{n}_last_used_date");
            var rotated = record.Date($"access_key_{n}_last_rotated");
            if (active || rotated is not null)
            {
                var service = record.Get($"access_key_{n}_last_used_service");
                keys.Add($"key {n} {(active ? "active" : "inactive")}, " +
                    (lastUsed is { } used ? $"last used {used.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{(service is "" or "N/A" ? "" : $" ({service})")}" : "never used"));
            }
        }

        foreach (var n in new[] { 1, 2 })
        {
            if (record.Flag($"cert_{n}_active") == true)
            {
                keys.Add($"signing certificate {n} active");
            }
        }

        var password = root || (record.Flag("password_enabled") ?? false);
        return new AccountRow(record.Line, user,
            root ? $"Root user{AccountOf(arn)}" : user,
            EmailAddress.IsPlausible(user) ? EmailAddress.Normalize(user) : "",
            root ? "root" : "IAM user",
            lastActivity,
            record.Json(["arn", "password_enabled", "mfa_active", "access_key_1_active", "access_key_2_active"]))
        {
            Identifiers = root ? [] : [new AccountIdentifier("login", user)],
            Mfa = record.Flag("mfa_active"),
            KeyStatus = keys.Count == 0 ? "no access keys" : string.Join("; ", keys),
            Status = root ? "root" : password ? (anyKeyActive ? "console password and access keys" : "console password") : anyKeyActive ? "access keys only" : "no password, no active key",
            Enabled = password || anyKeyActive,
            LastActivitySource = source,
        };
    }

    private static string AccountOf(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length > 4 && parts[4].Length > 0 ? $" (account {parts[4]})" : "";
    }
}
