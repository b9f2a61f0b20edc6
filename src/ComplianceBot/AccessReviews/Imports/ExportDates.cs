using System.Globalization;
using System.Text.RegularExpressions;

namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// Reads the dates vendors write: ISO 8601 (year first), epoch seconds or milliseconds, a trailing " UTC", and the
/// "nothing here" words (N/A, no_information, not_supported, Never logged in). A date written day/month or month/day
/// is refused unless the order is stated: 01.12.2026 silently read as 12 January is a wrong review.
/// </summary>
public static partial class ExportDates
{
    private static readonly HashSet<string> NoDate = new(StringComparer.OrdinalIgnoreCase)
    {
        "", "n/a", "na", "no_information", "not_supported", "never", "never logged in", "-", "null", "none",
    };

    /// <summary>True with the date (null for "none") or false with a problem naming what to do.</summary>
    public static bool TryRead(string text, DateOrder order, out DateTimeOffset? value, out string problem)
    {
        value = null;
        problem = "";
        var trimmed = text.Trim();
        if (NoDate.Contains(trimmed))
        {
            return true;
        }

        if (trimmed.All(char.IsAsciiDigit))
        {
            // Epoch seconds (10 digits until 2286) or milliseconds (13 digits).
            if (trimmed.Length is 9 or 10 && long.TryParse(trimmed, CultureInfo.InvariantCulture, out var seconds))
            {
                value = DateTimeOffset.FromUnixTimeSeconds(seconds);
                return true;
            }

            if (trimmed.Length is 12 or 13 && long.TryParse(trimmed, CultureInfo.InvariantCulture, out var milliseconds))
            {
                value = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
                return true;
            }

            problem = $"'{Shorten(trimmed)}' is not a date (epoch time needs 10 digits for seconds or 13 for milliseconds)";
            return false;
        }

        var withoutZone = trimmed.EndsWith(" UTC", StringComparison.OrdinalIgnoreCase) || trimmed.EndsWith(" GMT", StringComparison.OrdinalIgnoreCase)
            ? trimmed[..^4].TrimEnd()
            : trimmed;

        if (YearFirst().Match(withoutZone) is { Success: true } iso)
        {
            var normalized = $"{iso.Groups[1].Value}-{iso.Groups[2].Value.PadLeft(2, '0')}-{iso.Groups[3].Value.PadLeft(2, '0')}{iso.Groups[4].Value}";
            return Parse(normalized, trimmed, out value, out problem);
        }

        if (NumericDayMonth().Match(withoutZone) is { Success: true } numeric)
        {
            var first = int.Parse(numeric.Groups[1].Value, CultureInfo.InvariantCulture);
            var second = int.Parse(numeric.Groups[2].Value, CultureInfo.InvariantCulture);
            var year = numeric.Groups[3].Value;
            if (order == DateOrder.Unstated)
            {
                problem = $"'{Shorten(trimmed)}' does not say whether the day or the month comes first" +
                    (first <= 12 && second <= 12 && first != second ? $" ({Describe(year, first, second)} or {Describe(year, second, first)})" : "") +
                    "; state it with ?dateFormat=dmy (day first) or ?dateFormat=mdy (month first), or export ISO dates (2026-12-01)";
                return false;
            }

            var (day, month) = order == DateOrder.DayFirst ? (first, second) : (second, first);
            if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(int.Parse(year, CultureInfo.InvariantCulture), month))
            {
                problem = $"'{Shorten(trimmed)}' is not a valid date when read {(order == DateOrder.DayFirst ? "day" : "month")} first";
                return false;
            }

            return Parse($"{year}-{month:D2}-{day:D2}{numeric.Groups[4].Value.Replace(",", "", StringComparison.Ordinal)}", trimmed, out value, out problem);
        }

        // Month names are unambiguous ("Nov 30, 2026 10:02:11 AM", "30 November 2026").
        if (withoutZone.Any(char.IsAsciiLetter) && MonthName().IsMatch(withoutZone)
            && DateTimeOffset.TryParse(withoutZone, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var named))
        {
            value = named;
            return true;
        }

        problem = $"'{Shorten(trimmed)}' is not a date (use ISO 8601 such as 2026-10-31 or 2026-10-31T09:15:00Z, or leave it empty for never)";
        return false;
    }

    private static bool Parse(string normalized, string original, out DateTimeOffset? value, out string problem)
    {
        value = null;
        problem = "";
        if (DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        problem = $"'{Shorten(original)}' is not a date (use ISO 8601 such as 2026-10-31 or 2026-10-31T09:15:00Z)";
        return false;
    }

    private static string Describe(string year, int day, int month) =>
        new DateOnly(int.Parse(year, CultureInfo.InvariantCulture), month, Math.Min(day, DateTime.DaysInMonth(int.Parse(year, CultureInfo.InvariantCulture), month)))
            .ToString("d MMMM", CultureInfo.InvariantCulture);

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex(@"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})((?:[T ].*)?)$")]
    private static partial Regex YearFirst();

    [GeneratedRegex(@"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})((?:[T ,]+.*)?)$")]
    private static partial Regex NumericDayMonth();

    [GeneratedRegex(@"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthName();
}
