using System.Globalization;
using System.Text.Json;
using ComplianceBot.Conversations;

namespace ComplianceBot.AccessReviews;

/// <summary>
/// One account as the reviewer sees it: flags, role and entitlements (groups, admin roles, MFA, keys), last activity,
/// what changed since the previous review in words, and the decision with its buttons. Kept to a few short fields so
/// a page of ten stays inside Slack's and Teams' message budgets.
/// </summary>
public static class AccountCard
{
    private const int MaxCellLength = 120;

    public static ReplyItem Build(ItemView item, IReadOnlyDictionary<string, string> buttonData, bool open)
    {
        var fields = new List<ReplyField>();
        if (item.Flags != AccountFlags.None)
        {
            fields.Add(new("Flags", AccessReviewReport.FlagText(item.Flags).Replace(' ', ',').Replace(",", ", ", StringComparison.Ordinal)));
        }

        var entitlements = Parse(item.Entitlements);
        foreach (var (label, value) in Entitlements(entitlements))
        {
            fields.Add(new(label, Cut(value, MaxCellLength)));
        }

        fields.Add(new("Change", Cut(ChangeText(item, entitlements), MaxCellLength * 2)));
        fields.Add(new("Last activity", item.LastLogin is { } login ? login.ToString("d MMM yyyy", CultureInfo.InvariantCulture) : "never"));
        fields.Add(new("Decision", DecisionText(item)));

        return new ReplyItem(Cut($"{item.AccountId} — {item.DisplayName}{(item.Email.Length > 0 ? $" ({item.Email})" : "")} · {(item.Role.Length > 0 ? item.Role : "no role")}", 3 * MaxCellLength))
        {
            Fields = fields,
            Actions = !open ? [] :
            [
                new ReplyAction(AccessReviewFlow.KeepAction, "Keep", buttonData, ActionStyle.Primary),
                new ReplyAction(AccessReviewFlow.RevokeAction, "Revoke", buttonData, ActionStyle.Danger),
                new ReplyAction(AccessReviewFlow.DeferAction, "Defer", buttonData),
                new ReplyAction(AccessReviewFlow.EscalateAction, "Escalate", buttonData),
            ],
        };
    }

    /// <summary>
    /// The export's extra columns shown under readable labels: groups, admin roles, MFA, key status, then anything
    /// else in one "Other" cell. Column names differ per system, so they are recognised by what they contain.
    /// </summary>
    public static IEnumerable<(string Label, string Value)> Entitlements(IReadOnlyDictionary<string, string> columns)
    {
        var shown = columns.Where(c => c.Value.Length > 0).ToList();
        (string Label, Func<string, bool> Matches)[] known =
        [
            ("Admin roles", k => k.Contains("admin", StringComparison.Ordinal) && k.Contains("role", StringComparison.Ordinal)),
            ("Groups", k => k.Contains("group", StringComparison.Ordinal) || k.Contains("team", StringComparison.Ordinal)),
            ("MFA", k => k.Contains("mfa", StringComparison.Ordinal) || k.Contains("two_factor", StringComparison.Ordinal) || k.Contains("2fa", StringComparison.Ordinal)),
            ("Keys", k => k.Contains("key", StringComparison.Ordinal) && k.Contains("active", StringComparison.Ordinal)),
        ];
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (label, matches) in known)
        {
            var hits = shown.Where(c => !used.Contains(c.Key) && matches(c.Key.ToLowerInvariant())).ToList();
            if (hits.Count > 0)
            {
                used.UnionWith(hits.Select(h => h.Key));
                yield return (label, hits.Count == 1 ? Readable(hits[0].Value) : string.Join("; ", hits.Select(h => $"{h.Key} {Readable(h.Value)}")));
            }
        }

        var other = shown.Where(c => !used.Contains(c.Key)).Select(c => $"{c.Key}: {c.Value}").ToList();
        if (other.Count > 0)
        {
            yield return ("Other", string.Join(" · ", other));
        }
    }

    /// <summary>"new account", "unchanged", or what changed: "role member → admin; added to finance; removed from web".</summary>
    public static string ChangeText(ItemView item, IReadOnlyDictionary<string, string> now)
    {
        if (item.Change == AccountChange.New)
        {
            return "new account";
        }

        if (item.Change == AccountChange.Unchanged)
        {
            return "unchanged";
        }

        if (item.PreviousRole is null)
        {
            return "changed";
        }

        var parts = new List<string>();
        if (!string.Equals(item.PreviousRole, item.Role, StringComparison.Ordinal))
        {
            parts.Add($"role {Or(item.PreviousRole)} → {Or(item.Role)}");
        }

        var before = Parse(item.PreviousEntitlements);
        foreach (var column in before.Keys.Union(now.Keys).Distinct(StringComparer.Ordinal))
        {
            var (was, @is) = (before.GetValueOrDefault(column, ""), now.GetValueOrDefault(column, ""));
            if (string.Equals(was, @is, StringComparison.Ordinal))
            {
                continue;
            }

            var (wasList, isList) = (Members(was), Members(@is));
            if (wasList.Count > 1 || isList.Count > 1 || IsGroupColumn(column))
            {
                // List-valued columns (groups, roles) read as memberships gained and lost, not as two long strings.
                parts.AddRange(isList.Except(wasList, StringComparer.OrdinalIgnoreCase).Select(g => $"added to {g}"));
                parts.AddRange(wasList.Except(isList, StringComparer.OrdinalIgnoreCase).Select(g => $"removed from {g}"));
            }
            else
            {
                parts.Add($"{column} {Or(was)} → {Or(@is)}");
            }
        }

        return parts.Count == 0 ? "changed" : string.Join("; ", parts);
    }

    public static IReadOnlyDictionary<string, string> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new Dictionary<string, string>();
        }

        try
        {
            // Tolerant of whatever an import stored: strings, numbers, booleans and arrays all read as text.
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind != JsonValueKind.Object
                ? new Dictionary<string, string>()
                : document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString() ?? "",
                    JsonValueKind.Array => string.Join(", ", p.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
                    JsonValueKind.Null => "",
                    _ => p.Value.GetRawText(),
                }, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new Dictionary<string, string>();
        }
    }

    private static bool IsGroupColumn(string column) =>
        column.Contains("group", StringComparison.OrdinalIgnoreCase) || column.Contains("team", StringComparison.OrdinalIgnoreCase) || column.Contains("role", StringComparison.OrdinalIgnoreCase);

    private static List<string> Members(string value) =>
        [.. value.Split([',', ';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string Readable(string value) => value.ToLowerInvariant() switch
    {
        "true" or "yes" or "1" => "on",
        "false" or "no" or "0" => "off",
        _ => value,
    };

    private static string Or(string value) => value.Length == 0 ? "none" : value;

    private static string DecisionText(ItemView item)
    {
        var who = item.DecidedBy is null ? "" : $" — {item.DecidedBy}, {item.DecidedAt?.ToString("d MMM", CultureInfo.InvariantCulture)}";
        return item.Decision switch
        {
            AccessDecision.Pending => "undecided",
            AccessDecision.Revoke => Cut($"revoke ({item.Reason}){who}", MaxCellLength * 2),
            AccessDecision.Escalated => Cut($"escalated ({item.Reason})", MaxCellLength),
            _ => AccessReviewService.Describe(item.Decision) + who,
        };
    }

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
