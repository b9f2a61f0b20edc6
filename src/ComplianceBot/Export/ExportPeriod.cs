using System.Globalization;
using System.Text.RegularExpressions;

namespace ComplianceBot.Export;

/// <summary>
/// The window an export covers, parsed from a label ("2026", "2026-H2", "2026-Q4", "2026-11", "2026-W48", "2026-11-27") or from/to dates.
/// A task belongs to the export when its own period ends inside the window.
/// </summary>
public sealed partial record ExportPeriod(string Label, DateOnly Start, DateOnly End)
{
    public DateTimeOffset StartUtc => new(Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset EndUtcExclusive => new(End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);


    /// <summary>
    /// ?period=2026-Q4 or ?from=2026-04-01&amp;to=2027-03-31 (both inclusive). Returns null and a message saying what to send
    /// when the input is unusable: both forms at once, a bad date, a reversed range or one longer than two years.
    /// </summary>
    public static ExportPeriod? FromQuery(string? label, string? from, string? to, out string? problem)
    {
        problem = null;
        if (!string.IsNullOrWhiteSpace(from) || !string.IsNullOrWhiteSpace(to))
        {
            if (!string.IsNullOrWhiteSpace(label))
            {
                problem = "Give either ?period= or ?from=&to=, not both.";
            }
            else if (!DateOnly.TryParseExact(from?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start) ||
                     !DateOnly.TryParseExact(to?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
            {
                problem = "from and to are both required, as dates like 2026-04-01 (both days are included).";
            }
            else if (end < start)
            {
                problem = $"to ({end:yyyy-MM-dd}) is before from ({start:yyyy-MM-dd}).";
            }
            else if (end >= start.AddYears(2))
            {
                problem = $"The period is {end.DayNumber - start.DayNumber + 1} days; an export covers at most two years (to before {start.AddYears(2):yyyy-MM-dd}). Export it in parts.";
            }
            else
            {
                return new ExportPeriod(string.Create(CultureInfo.InvariantCulture, $"{start:yyyy-MM-dd}_{end:yyyy-MM-dd}"), start, end);
            }

            return null;
        }

        if (TryParse(label, out var period))
        {
            return period;
        }

        problem = "Give the period as ?period=2026-Q4 (also 2026, 2026-H2, 2026-11, 2026-W48 or 2026-11-27), or any audit period as ?from=2026-04-01&to=2027-03-31.";
        return null;
    }

    public static bool TryParse(string? label, out ExportPeriod period)
    {
        period = null!;
        var match = PeriodPattern().Match(label?.Trim() ?? "");
        if (!match.Success)
        {
            return false;
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        if (year is < 2000 or > 2100)
        {
            return false;
        }

        var text = match.Value.ToUpperInvariant();
        DateOnly start, end;
        if (match.Groups["half"].Success)
        {
            var half = int.Parse(match.Groups["half"].Value, CultureInfo.InvariantCulture);
            start = new DateOnly(year, ((half - 1) * 6) + 1, 1);
            end = start.AddMonths(6).AddDays(-1);
        }
        else if (match.Groups["quarter"].Success)
        {
            var quarter = int.Parse(match.Groups["quarter"].Value, CultureInfo.InvariantCulture);
            start = new DateOnly(year, ((quarter - 1) * 3) + 1, 1);
            end = start.AddMonths(3).AddDays(-1);
        }
        else if (match.Groups["week"].Success)
        {
            var week = int.Parse(match.Groups["week"].Value, CultureInfo.InvariantCulture);
            if (week < 1 || week > ISOWeek.GetWeeksInYear(year))
            {
                return false;
            }

            start = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday));
            end = start.AddDays(6);
        }
        else if (match.Groups["month"].Success)
        {
            var month = int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture);
            if (month is < 1 or > 12)
            {
                return false;
            }

            if (match.Groups["day"].Success)
            {
                var day = int.Parse(match.Groups["day"].Value, CultureInfo.InvariantCulture);
                if (day < 1 || day > DateTime.DaysInMonth(year, month))
                {
                    return false;
                }

                start = end = new DateOnly(year, month, day);
            }
            else
            {
                start = new DateOnly(year, month, 1);
                end = start.AddMonths(1).AddDays(-1);
            }
        }
        else
        {
            start = new DateOnly(year, 1, 1);
            end = new DateOnly(year, 12, 31);
        }

        period = new ExportPeriod(text, start, end);
        return true;
    }

    [GeneratedRegex(@"^(?<year>\d{4})(-(H(?<half>[12])|Q(?<quarter>[1-4])|W(?<week>\d{2})|(?<month>\d{2})(-(?<day>\d{2}))?))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PeriodPattern();
}
