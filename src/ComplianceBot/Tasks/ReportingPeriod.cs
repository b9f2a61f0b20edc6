using System.Globalization;
using ComplianceBot.Controls;

namespace ComplianceBot.Tasks;

/// <summary>
/// One occurrence window of a control: "2026-11-27" (daily), "2026-W48" (ISO week), "2026-11", "2026-Q4",
/// "2026-H2" or "2026". A Type 2 audit samples these, so every one gets its own task.
/// </summary>
public readonly record struct ReportingPeriod(string Label, DateOnly Start, DateOnly End)
{
    public static ReportingPeriod Containing(ControlFrequency frequency, DateOnly day) => frequency switch
    {
        ControlFrequency.Daily => new(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day, day),
        ControlFrequency.Weekly => Week(day),
        ControlFrequency.Monthly => Months(day, 1, $"{day.Year}-{day.Month:00}"),
        ControlFrequency.Quarterly => Months(day, 3, $"{day.Year}-Q{((day.Month - 1) / 3) + 1}"),
        ControlFrequency.Semiannual => Months(day, 6, $"{day.Year}-H{((day.Month - 1) / 6) + 1}"),
        ControlFrequency.Annual => new($"{day.Year}", new DateOnly(day.Year, 1, 1), new DateOnly(day.Year, 12, 31)),
        _ => throw new ArgumentOutOfRangeException(nameof(frequency), frequency, null),
    };

    public ReportingPeriod Next(ControlFrequency frequency) => Containing(frequency, End.AddDays(1));

    public DateOnly DueDate(Control control) => End.AddDays(control.EffectiveDueDays);

    private static ReportingPeriod Week(DateOnly day)
    {
        var date = day.ToDateTime(TimeOnly.MinValue);
        var year = ISOWeek.GetYear(date);
        var week = ISOWeek.GetWeekOfYear(date);
        var monday = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday));
        return new($"{year}-W{week:00}", monday, monday.AddDays(6));
    }

    private static ReportingPeriod Months(DateOnly day, int length, string label)
    {
        var firstMonth = ((day.Month - 1) / length * length) + 1;
        var start = new DateOnly(day.Year, firstMonth, 1);
        return new(label, start, start.AddMonths(length).AddDays(-1));
    }
}
