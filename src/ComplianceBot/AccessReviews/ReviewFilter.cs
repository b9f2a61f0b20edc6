using System.Text.RegularExpressions;

namespace ComplianceBot.AccessReviews;

public enum ReviewFilterKind
{
    All,
    Flagged,
    Unmatched,
    Privileged,
    Dormant,
    Terminated,
    New,
    Changed,
    Undecided,
    Group,
    Find,
}

/// <summary>
/// Which of a reviewer's accounts a page shows: everything, one kind of flag or change, a group, or a name/login search.
/// Travels in button data as one short string ("flagged", "group:web", "find:pvogel") so every click keeps it.
/// </summary>
public sealed partial record ReviewFilter(ReviewFilterKind Kind, string? Term = null)
{
    public const string DataKey = "f";
    private const int MaxTermLength = 64;

    public static ReviewFilter All { get; } = new(ReviewFilterKind.All);

    public bool IsAll => Kind == ReviewFilterKind.All;

    /// <summary>The button-data form; empty for no filter.</summary>
    public string Encode() => Kind switch
    {
        ReviewFilterKind.All => "",
        ReviewFilterKind.Group or ReviewFilterKind.Find => $"{Kind.ToString().ToLowerInvariant()}:{Term}",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    public static ReviewFilter Decode(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return All;
        }

        var (name, term) = value.IndexOf(':') is var colon and > 0 ? (value[..colon], value[(colon + 1)..].Trim()) : (value, null);
        if (!Enum.TryParse<ReviewFilterKind>(name, ignoreCase: true, out var kind) || int.TryParse(name, out _))
        {
            return All;
        }

        var needsTerm = kind is ReviewFilterKind.Group or ReviewFilterKind.Find;
        return needsTerm != !string.IsNullOrEmpty(term) ? All : new ReviewFilter(kind, needsTerm ? Cut(term!) : null);
    }

    /// <summary>"flagged accounts", "accounts in group web", "accounts matching pvogel".</summary>
    public string Describe() => Kind switch
    {
        ReviewFilterKind.All => "all accounts",
        ReviewFilterKind.Undecided => "undecided accounts",
        ReviewFilterKind.New => "new accounts",
        ReviewFilterKind.Changed => "changed accounts",
        ReviewFilterKind.Group => $"accounts in {Term}",
        ReviewFilterKind.Find => $"accounts matching \"{Term}\"",
        _ => $"{Kind.ToString().ToLowerInvariant()} accounts",
    };

    public IQueryable<AccessReviewItem> Apply(IQueryable<AccessReviewItem> items)
    {
        var term = Term?.ToLowerInvariant() ?? "";
        return Kind switch
        {
            ReviewFilterKind.Flagged => items.Where(i => i.Flags != AccountFlags.None),
            ReviewFilterKind.Unmatched => items.Where(i => (i.Flags & AccountFlags.Unmatched) != 0),
            ReviewFilterKind.Privileged => items.Where(i => (i.Flags & AccountFlags.Privileged) != 0),
            ReviewFilterKind.Dormant => items.Where(i => (i.Flags & AccountFlags.Dormant) != 0),
            ReviewFilterKind.Terminated => items.Where(i => (i.Flags & AccountFlags.Terminated) != 0),
            ReviewFilterKind.New => items.Where(i => i.Change == AccountChange.New),
            ReviewFilterKind.Changed => items.Where(i => i.Change == AccountChange.Changed),
            ReviewFilterKind.Undecided => items.Where(i => i.Decision != AccessDecision.Keep && i.Decision != AccessDecision.Revoke),
            // Groups and admin roles as the import profile read them, or a generic file's extra columns (all JSON text).
            // Lower-cased on both sides so every provider matches alike:
            // EF translates ToLower + Contains to SQL, not the StringComparison overload CA1862 suggests.
#pragma warning disable CA1862 // Prefer the string comparison method overload
            ReviewFilterKind.Group => items.Where(i => i.Groups.ToLower().Contains(term) || i.AdminRoles.ToLower().Contains(term) || i.Entitlements.ToLower().Contains(term)),
            ReviewFilterKind.Find => items.Where(i => i.AccountId.ToLower().Contains(term) || i.DisplayName.ToLower().Contains(term) || i.Email.ToLower().Contains(term)),
#pragma warning restore CA1862
            _ => items,
        };
    }

    /// <summary>
    /// Reads a filter from what the reviewer typed ("show flagged accounts", "find pvogel", "who is in AWS-Prod-Admin",
    /// "only the admins"); <see cref="All"/> when the message names none.
    /// </summary>
    public static ReviewFilter FromText(string text)
    {
        var lower = text.Trim().ToLowerInvariant();
        if (FindPattern().Match(lower) is { Success: true } find)
        {
            return new ReviewFilter(ReviewFilterKind.Find, Cut(Spelled(text, find.Groups["term"])));
        }

        if (GroupPattern().Match(lower) is { Success: true } group)
        {
            return new ReviewFilter(ReviewFilterKind.Group, Cut(Spelled(text, group.Groups["term"])));
        }

        (Regex Pattern, ReviewFilterKind Kind)[] kinds =
        [
            (UnmatchedPattern(), ReviewFilterKind.Unmatched),
            (TerminatedPattern(), ReviewFilterKind.Terminated),
            (DormantPattern(), ReviewFilterKind.Dormant),
            (PrivilegedPattern(), ReviewFilterKind.Privileged),
            (FlaggedPattern(), ReviewFilterKind.Flagged),
            (ChangedPattern(), ReviewFilterKind.Changed),
            (NewPattern(), ReviewFilterKind.New),
            (UndecidedPattern(), ReviewFilterKind.Undecided),
        ];
        return kinds.FirstOrDefault(k => k.Pattern.IsMatch(lower)) is { Pattern: not null } hit ? new ReviewFilter(hit.Kind) : All;
    }

    // The term keeps the reviewer's own spelling (group names are case-sensitive to read), without quotes or a trailing "?".
    private static string Spelled(string original, Group match) => original.Substring(match.Index, match.Length).Trim().Trim('"', '\'', '?', '.', '!', '“', '”').Trim();

    private static string Cut(string term) => term.Length <= MaxTermLength ? term : term[..MaxTermLength];

    [GeneratedRegex(@"\b(?:find|search(?: for)?|look ?up|lookup|where(?:'s| is)|wheres|show me|show|account of|accounts? for)\s+(?:the\s+)?(?:account\s+|user\s+|login\s+)?(?<term>[\w.@+\-]*[\d@._\-][\w.@+\-]*|(?!(?:all|the|my|me|only|every|flagged|unmatched|privileged|dormant|new|changed|admins?|accounts?|users?|inactive|leavers?|terminated|undecided|pending|stale|risky)\b)[\w.@+\-]{3,})\s*\??$")]
    private static partial Regex FindPattern();

    [GeneratedRegex(@"\b(?:in|of|from|members of|member of)\s+(?:the\s+)?(?:group|team|grp)\s+(?<term>\S.*?)\s*\??$|\b(?:group|grp)\s+(?<term>[\w.@+\-]+)|\bin\s+(?:the\s+)?(?<term>[\w.@+\-]+)\s+(?:group|team|grp)\b")]
    private static partial Regex GroupPattern();

    [GeneratedRegex(@"unmatch|unmatched|no owner|without (?:an )?owner|nobody owns|orphan|unknown (?:owner|people|users|accounts)|not in the directory|match no ?one")]
    private static partial Regex UnmatchedPattern();

    [GeneratedRegex(@"terminat|leavers?\b|who left|people who left|ex-?employees|offboarded|departed")]
    private static partial Regex TerminatedPattern();

    [GeneratedRegex(@"dormant|inactive|stale|unused|not logged in|haven'?t logged in|no (?:recent )?log ?ins?|never logged")]
    private static partial Regex DormantPattern();

    [GeneratedRegex(@"privileg|priviledg|previleg|\badmins?\b|administrators?|elevated|owners\b|super ?users?|root")]
    private static partial Regex PrivilegedPattern();

    [GeneratedRegex(@"flag|flaged|risky|suspicious|need(?:s)? (?:a )?(?:closer )?look|red flags?|problems?")]
    private static partial Regex FlaggedPattern();

    [GeneratedRegex(@"\bchang(?:ed|es)\b|what changed|role changes?|promoted")]
    private static partial Regex ChangedPattern();

    [GeneratedRegex(@"\bnew (?:accounts?|users?|ones|joiners)\b|\bnewly added\b|\bjoiners\b")]
    private static partial Regex NewPattern();

    [GeneratedRegex(@"undecided|not decided|still (?:to|need)|left to (?:decide|review)|pending|remaining|haven'?t (?:decided|reviewed)")]
    private static partial Regex UndecidedPattern();
}
