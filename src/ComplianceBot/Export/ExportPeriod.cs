using System.Globalization;
using System.Text.RegularExpressions;

namespace ComplianceBot.Export;

/// <summary>
/// The window an export covers, parsed from a label: "2026", "2026-H2", "2026-Q4", "2026-11", "2026-W48" or "2026-11-27".
/// A task belongs to the export when its own period ends inside the window.
/// </summary>
public sealed partial record ExportPeriod(string Label, DateOnly Start, DateOnly End)
{
    public DateTimeOffset StartUtc => new(Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset EndUtcExclusive => new(End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

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
