using System.Globalization;
using System.Text.Json;
using ComplianceBot.AccessReviews.Identities;
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

    /// <param name="extraColumns">Show the export's other columns (a generic file's); a vendor profile's raw columns stay in the report.</param>
    /// <param name="followUp">A signed-off review's account deferred at sign-off, still to decide: Keep and Revoke only.</param>
    public static ReplyItem Build(ItemView item, IReadOnlyDictionary<string, string> buttonData, bool open, bool extraColumns, bool followUp = false)
    {
        var fields = new List<ReplyField>();
        if (item.Flags != AccountFlags.None)
        {
            fields.Add(new("Flags", AccessReviewReport.FlagText(item.Flags).Replace(' ', ',').Replace(",", ", ", StringComparison.Ordinal)));
        }

        if (!item.AccountEnabled)
        {
            fields.Add(new("Status", $"{Or(item.AccountStatus ?? "disabled")} — cannot sign in"));
        }

        if (item.Mark is { } mark)
        {
            fields.Add(new("Marked", AccountMarks.Describe(mark)!));
        }

        foreach (var (label, value) in Entitlements(item, extraColumns ? Parse(item.Entitlements) : new Dictionary<string, string>()))
        {
            fields.Add(new(label, Cut(value, MaxCellLength)));
        }

        fields.Add(new("Change", Cut(ChangeText(item), MaxCellLength * 2)));
        fields.Add(new("Last activity", LastActivity(item)));
        fields.Add(new("Decision", DecisionText(item)));

        return new ReplyItem(Cut($"{item.AccountId} — {item.DisplayName}{(item.Email.Length > 0 ? $" ({item.Email})" : "")} · {(item.Role.Length > 0 ? item.Role : "no role")}", 3 * MaxCellLength))
        {
            Fields = fields,
            Actions = followUp
                ? [new ReplyAction(AccessReviewFlow.KeepAction, "Keep", buttonData, ActionStyle.Primary), new ReplyAction(AccessReviewFlow.RevokeAction, "Revoke", buttonData, ActionStyle.Danger)]
                : !open ? [] :
            [
                new ReplyAction(AccessReviewFlow.KeepAction, "Keep", buttonData, ActionStyle.Primary),
                new ReplyAction(AccessReviewFlow.RevokeAction, "Revoke", buttonData, ActionStyle.Danger),
                new ReplyAction(AccessReviewFlow.DeferAction, "Defer", buttonData),
                new ReplyAction(AccessReviewFlow.EscalateAction, "Escalate", buttonData),
                // Only an account nobody is matched to can be identified from the card: a matched one (the reviewer's
                // own above all) is not re-pointed by whoever reviews it; a compliance admin can, through the API.
                .. item.Matched || item.Decision is AccessDecision.Keep or AccessDecision.Revoke ? Array.Empty<ReplyAction>() :
                    [new ReplyAction(AccessReviewFlow.IdentifyAction, "Who is this?…", buttonData)],
            ],
        };
    }

    /// <summary>
    /// What the account may do, under readable labels: admin roles, groups, MFA and keys as the import profile read them,
    /// then a generic file's other columns, recognised by what their names contain, and anything else in one "Other" cell.
    /// </summary>
    public static IEnumerable<(string Label, string Value)> Entitlements(ItemView item, IReadOnlyDictionary<string, string> columns)
    {
        var filled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (label, value) in new (string, string?)[]
        {
            ("Admin roles", List(item.AdminRoles)),
            ("Groups", List(item.Groups)),
            ("MFA", item.Mfa is { } mfa ? (mfa ? "on" : "off") : null),
            ("Keys", item.KeyStatus),
        })
        {
            if (!string.IsNullOrEmpty(value))
            {
                filled.Add(label);
                yield return (label, value);
            }
        }

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
            used.UnionWith(hits.Select(h => h.Key));
            if (hits.Count > 0 && !filled.Contains(label))
            {
                yield return (label, hits.Count == 1 ? Readable(hits[0].Value) : string.Join("; ", hits.Select(h => $"{h.Key} {Readable(h.Value)}")));
            }
        }

        var other = shown.Where(c => !used.Contains(c.Key)).Select(c => $"{c.Key}: {c.Value}").ToList();
        if (other.Count > 0)
        {
            yield return ("Other", string.Join(" · ", other));
        }
    }

    /// <summary>"new account", "unchanged", or what changed as the import compared it: "role member → admin; added to finance".</summary>
    public static string ChangeText(ItemView item) => item.Change switch
    {
        AccountChange.New => "new account",
        AccountChange.Unchanged => "unchanged",
        _ => item.ChangeSummary ?? "changed",
    };

    /// <summary>"6 Dec 2026 (access_key_1_last_used_date)": which column said so matters when a password is unused but a key is not.</summary>
    private static string LastActivity(ItemView item) => item.LastLogin is not { } at ? "never"
        : at.ToString("d MMM yyyy", CultureInfo.InvariantCulture) + (item.LastActivitySource is { } source && !IsPlainLogin(source) ? $" ({source})" : "");

    private static bool IsPlainLogin(string column) =>
        column.Replace("_", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).Equals("lastlogin", StringComparison.OrdinalIgnoreCase);

    private static string? List(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) is { Count: > 0 } list ? string.Join(", ", list) : null;
        }
        catch (JsonException)
        {
            return null;
        }
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
        if (item.DeferredAtSignOff)
        {
            who += item.Decision is AccessDecision.Keep or AccessDecision.Revoke ? " (on the follow-up; deferred at sign-off)" : "";
            if (item.Decision == AccessDecision.Deferred)
            {
                return "deferred at sign-off: keep or revoke it on the follow-up";
            }
        }

        return item.Decision switch
        {
            AccessDecision.Pending => item.Reason is null ? "undecided" : Cut($"undecided — {item.Reason}", MaxCellLength * 2),
            AccessDecision.Revoke => Cut($"revoke ({item.Reason}){who}", MaxCellLength * 2),
            AccessDecision.Escalated => Cut($"escalated ({item.Reason})", MaxCellLength),
            _ => AccessReviewService.Describe(item.Decision) + who,
        };
    }

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
