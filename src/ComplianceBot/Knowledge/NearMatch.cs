namespace ComplianceBot.Knowledge;

/// <summary>"Did you mean …?" for a value that is almost one we know (a typo in an email, a system name, a time zone).</summary>
public static class NearMatch
{
    /// <summary>Abbreviations people write for a time zone; the ambiguous ones name every zone they could mean.</summary>
    private static readonly Dictionary<string, string[]> ZoneAbbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["IST"] = ["Asia/Kolkata (India)", "Europe/Dublin (Ireland)", "Asia/Jerusalem (Israel)"],
        ["CST"] = ["America/Chicago (US Central)", "Asia/Shanghai (China)", "America/Havana (Cuba)"],
        ["BST"] = ["Europe/London (British Summer Time)", "Asia/Dhaka (Bangladesh)"],
        ["AST"] = ["America/Halifax (Atlantic)", "Asia/Riyadh (Arabia)"],
        ["PST"] = ["America/Los_Angeles"], ["PDT"] = ["America/Los_Angeles"], ["EDT"] = ["America/New_York"],
        ["CDT"] = ["America/Chicago"], ["MDT"] = ["America/Denver"], ["CEST"] = ["Europe/Berlin", "Europe/Paris"],
        ["AEST"] = ["Australia/Sydney"], ["AEDT"] = ["Australia/Sydney"], ["JST"] = ["Asia/Tokyo"], ["SGT"] = ["Asia/Singapore"],
        ["KST"] = ["Asia/Seoul"], ["NZST"] = ["Pacific/Auckland"], ["BRT"] = ["America/Sao_Paulo"], ["SAST"] = ["Africa/Johannesburg"],
    };

    private static readonly Lazy<string[]> ZoneIds = new(() => [.. TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id)]);

    /// <summary>The closest candidate within a few edits, or null; ties go to the first candidate.</summary>
    public static string? Suggest(string value, IEnumerable<string> candidates)
    {
        var limit = Math.Max(2, value.Length / 4);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(value.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance && distance <= limit && distance > 0)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    /// <summary>The "Fix:" text for a time zone id the system does not know.</summary>
    public static string TimeZoneFix(string value)
    {
        if (ZoneAbbreviations.TryGetValue(value.Trim(), out var zones))
        {
            return zones.Length == 1
                ? $"'{value}' is an abbreviation, not a zone id: write {zones[0]}"
                : $"'{value}' is ambiguous — it could be {string.Join(", ", zones.SkipLast(1))} or {zones[^1]}; write the IANA id of the one you mean";
        }

        return Suggest(value, ZoneIds.Value) is { } near
            ? $"did you mean {near}? Use an IANA time zone id such as Europe/Berlin or America/New_York"
            : "use an IANA time zone id such as Europe/Berlin or America/New_York";
    }

    /// <summary>" Did you mean x?" or "" — appended to a fix.</summary>
    public static string DidYouMean(string value, IEnumerable<string> candidates) =>
        Suggest(value, candidates) is { } near ? $" (did you mean {near}?)" : "";

    // Levenshtein distance with two rows; the strings here are short (emails, names).
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
