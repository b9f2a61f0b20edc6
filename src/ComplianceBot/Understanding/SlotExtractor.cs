using System.Globalization;
using System.Text.RegularExpressions;

namespace ComplianceBot.Understanding;

/// <summary>
/// Reads what a message names, deterministically: control ids, change numbers, systems (aliases mapped to the canonical
/// name), snooze times ("tomorrow" → 1d, "monday"/"next week" → monday, dates → ISO, counted from <c>today</c>) and
/// colleagues from the directory. The conventions are those of ../shared/eval/intents.md.
/// </summary>
public static partial class SlotExtractor
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public static IntentSlots Extract(string text, Lexicon lexicon, DateOnly today, string? senderEmail = null)
    {
        var lower = text.ToLowerInvariant().Replace('\u2019', '\'');
        var (control, withoutControls) = FindControl(lower, lexicon);
        var change = FindChange(withoutControls);
        var system = lexicon.SystemPattern?.Match(withoutControls) is { Success: true } s ? lexicon.SystemNames[s.Value] : null;
        var (until, asksWhen) = FindUntil(withoutControls, today);
        string? personEmail = null, personName = null;
        if (lexicon.PersonPattern is { } people)
        {
            foreach (Match match in people.Matches(withoutControls))
            {
                var (email, name) = lexicon.PersonNames[match.Groups[1].Value];
                if (!string.Equals(email, senderEmail, StringComparison.OrdinalIgnoreCase))
                {
                    (personEmail, personName) = (email, name);
                    break;
                }
            }
        }

        return new IntentSlots(control, change, system, until, asksWhen, personEmail, personName);
    }

    /// <summary>The first known control id ("ac-02", "AC 2", "ac02" → "AC-02"), and the text with every control id blanked.</summary>
    public static (string? Control, string Remainder) FindControl(string lower, Lexicon lexicon)
    {
        string? found = null;
        var rest = ControlPattern().Replace(lower, match =>
        {
            var prefix = match.Groups["prefix"].Value.ToUpperInvariant();
            if (!lexicon.ControlPrefixes.Contains(prefix))
            {
                return match.Value;
            }

            var id = $"{prefix}-{int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture):00}";
            found ??= id;
            return " ";
        });
        return (found, rest);
    }

    public static string? FindChange(string lower) =>
        ChangePattern().Match(lower) is { Success: true } match ? int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) : null;

    public static (string? Until, bool AsksWhen) FindUntil(string lower, DateOnly today)
    {
        if (IsoDatePattern().Match(lower) is { Success: true } iso && DateOnly.TryParseExact(iso.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var isoDate))
        {
            return (isoDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), false);
        }

        if (DayMonthPattern().Match(lower) is { Success: true } dm && ToDate(today, dm.Groups["day"].Value, dm.Groups["month"].Value) is { } dayMonth)
        {
            return (dayMonth, false);
        }

        if (MonthDayPattern().Match(lower) is { Success: true } md && ToDate(today, md.Groups["day"].Value, md.Groups["month"].Value) is { } monthDay)
        {
            return (monthDay, false);
        }

        if (SlashDatePattern().Match(lower) is { Success: true } slash &&
            int.TryParse(slash.Groups["month"].Value, CultureInfo.InvariantCulture, out var slashMonth) && slashMonth is >= 1 and <= 12 &&
            ToDate(today, slash.Groups["day"].Value, Months[slashMonth - 1]) is { } slashDate)
        {
            return (slashDate, false);
        }

        if (TomorrowPattern().IsMatch(lower))
        {
            return ("1d", false);
        }

        if (MondayPattern().IsMatch(lower))
        {
            return ("monday", false);
        }

        if (WeekdayPattern().Match(lower) is { Success: true } weekday)
        {
            var target = weekday.Groups["day"].Value switch
            {
                "tue" or "tues" or "tuesday" => DayOfWeek.Tuesday,
                "wed" or "weds" or "wednesday" => DayOfWeek.Wednesday,
                "thu" or "thur" or "thurs" or "thursday" => DayOfWeek.Thursday,
                "fri" or "friday" => DayOfWeek.Friday,
                "sat" or "saturday" => DayOfWeek.Saturday,
                _ => DayOfWeek.Sunday,
            };
            var ahead = ((int)target - (int)today.DayOfWeek + 7) % 7;
            return (today.AddDays(ahead == 0 ? 7 : ahead).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), false);
        }

        return (null, AfterAnEventPattern().IsMatch(lower));
    }

    /// <summary>A day and month without a year: the next such date from today (intents.md: "4 Jan" on 27 Nov is next January).</summary>
    private static string? ToDate(DateOnly today, string day, string month)
    {
        var monthIndex = Array.FindIndex(Months, m => month.StartsWith(m, StringComparison.Ordinal)) + 1;
        if (monthIndex == 0 || !int.TryParse(day, CultureInfo.InvariantCulture, out var dayNumber) || dayNumber < 1 || dayNumber > 31)
        {
            return null;
        }

        for (var year = today.Year; year <= today.Year + 1; year++)
        {
            if (dayNumber <= DateTime.DaysInMonth(year, monthIndex) && new DateOnly(year, monthIndex, dayNumber) is var date && date >= today)
            {
                return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"(?<![\w-])(?<prefix>[a-z]{2,4})[\s-]?(?<number>\d{1,2})(?![\w.])")]
    private static partial Regex ControlPattern();

    [GeneratedRegex(@"(?:\b(?:cr|chg|change(?:\s+request)?|request|ticket)\s*(?:#|no\.?|number|num)?\s*-?\s*|#)(?<number>\d{1,6})\b")]
    private static partial Regex ChangePattern();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\b")]
    private static partial Regex IsoDatePattern();

    [GeneratedRegex(@"\b(?<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?<month>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b")]
    private static partial Regex DayMonthPattern();

    [GeneratedRegex(@"\b(?<month>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?<day>\d{1,2})(?:st|nd|rd|th)?\b")]
    private static partial Regex MonthDayPattern();

    [GeneratedRegex(@"\b(?<day>\d{1,2})/(?<month>\d{1,2})\b")]
    private static partial Regex SlashDatePattern();

    [GeneratedRegex(@"\b(tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr|tmro|2moro|tomoz|a day|one day|1 day|24 ?h|24 ?hrs|24 ?hours)\b")]
    private static partial Regex TomorrowPattern();

    [GeneratedRegex(@"\b(monday|mon|next week|nxt week|over the weekend|after the weekend)\b")]
    private static partial Regex MondayPattern();

    [GeneratedRegex(@"\b(?:on|till|til|until|by|to|next|this|for|after)\s+(?<day>tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun)\b")]
    private static partial Regex WeekdayPattern();

    [GeneratedRegex(@"\b(holiday|holidays|hols|vacation|leave|pto|time off|break|i'?m back|im back|i get back|when i return|offsite|conference|trip|parental)\b")]
    private static partial Regex AfterAnEventPattern();
}
