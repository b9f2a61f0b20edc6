using System.Text.Json;
using ComplianceBot.AccessReviews.Imports;

namespace ComplianceBot.AccessReviews;

/// <summary>An account as the previous review of the system saw it: what "changed since last quarter" is measured against.</summary>
public sealed record PreviousAccount(string Role, string Groups, string AdminRoles, bool? Mfa, bool Enabled, string? Status, string Entitlements);

/// <summary>
/// What changed since the previous review, in the words a reviewer checks: "role member → admin", "added to
/// AWS-Prod-Admin", "MFA turned off". Extra columns of a generic file are compared too; a vendor file's bookkeeping
/// columns (password changed, status changed) are not, so a rotated password is not a "change".
/// </summary>
public static class AccountChanges
{
    public static (AccountChange Change, string? Summary) Compare(PreviousAccount? previous, AccountRow row, bool compareExtraColumns)
    {
        if (previous is null)
        {
            return (AccountChange.New, null);
        }

        var changes = new List<string>();
        if (!string.Equals(previous.Role, row.Role, StringComparison.Ordinal))
        {
            changes.Add($"role {Or(previous.Role)} → {Or(row.Role)}");
        }

        Compare(List(previous.Groups), row.Groups, "added to", "removed from", changes);
        Compare(List(previous.AdminRoles), row.AdminRoles, "admin role added:", "admin role removed:", changes);
        if (previous.Mfa is { } before && row.Mfa is { } after && before != after)
        {
            changes.Add(after ? "MFA turned on" : "MFA turned off");
        }

        if (previous.Enabled != row.Enabled)
        {
            changes.Add(row.Enabled ? "re-enabled" : "disabled");
        }
        else if (previous.Status is { } was && row.Status is { } now && !string.Equals(was, now, StringComparison.OrdinalIgnoreCase))
        {
            changes.Add($"status {was} → {now}");
        }

        if (compareExtraColumns && previous.Entitlements != row.EntitlementsJson)
        {
            var old = Object(previous.Entitlements);
            var current = Object(row.EntitlementsJson);
            foreach (var key in old.Keys.Union(current.Keys).Order(StringComparer.Ordinal))
            {
                var a = old.GetValueOrDefault(key) ?? "";
                var b = current.GetValueOrDefault(key) ?? "";
                if (a != b)
                {
                    changes.Add($"{key} {Or(a)} → {Or(b)}");
                }
            }
        }

        return changes.Count == 0 ? (AccountChange.Unchanged, null) : (AccountChange.Changed, Limit(string.Join("; ", changes)));
    }

    private static void Compare(IReadOnlyList<string> before, IReadOnlyList<string> after, string added, string removed, List<string> changes)
    {
        changes.AddRange(after.Except(before, StringComparer.OrdinalIgnoreCase).Select(g => $"{added} {g}"));
        changes.AddRange(before.Except(after, StringComparer.OrdinalIgnoreCase).Select(g => $"{removed} {g}"));
    }

    private static List<string> List(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    private static Dictionary<string, string?> Object(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string Or(string value) => value.Length == 0 ? "(none)" : value;

    private static string Limit(string text) => text.Length <= 2000 ? text : text[..1999] + "…";
}
