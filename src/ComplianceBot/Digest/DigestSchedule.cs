using System.Globalization;
using ComplianceBot.People;
using ComplianceBot.Reminders;

namespace ComplianceBot.Digest;

/// <summary>
/// When a digest is due: on the configured day (or the next working day when that one is a holiday or a day off), from
/// the configured hour until the end of the recipient's working day, in their time zone. Outside that window, nothing.
/// </summary>
public static class DigestSchedule
{
    /// <summary>The ISO week ("2026-W50") whose digest <paramref name="recipient"/> is due to get now, or null.</summary>
    public static string? DueWeek(WorkingCalendar calendar, Person recipient, DayOfWeek day, int hour, DateTimeOffset now)
    {
        var local = recipient.LocalTime(now);
        var today = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var from = new TimeOnly(Math.Clamp(hour, 0, 23), 0);
        if (from < recipient.WorkStart || from >= recipient.WorkEnd)
        {
            from = recipient.WorkStart;
        }

        if (time < from || time >= recipient.WorkEnd)
        {
            return null;
        }

        // Last week's too: a Friday digest moved past a holiday and the weekend lands in the next ISO week.
        var monday = MondayOf(today);
        foreach (var weekStart in new[] { monday, monday.AddDays(-7) })
        {
            var scheduled = weekStart.AddDays(((int)day + 6) % 7);
            if (calendar.NextWorkingDay(recipient, scheduled) == today)
            {
                return WeekLabel(scheduled);
            }
        }

        return null;
    }

    public static DateOnly MondayOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    public static string WeekLabel(DateOnly day)
    {
        var date = day.ToDateTime(TimeOnly.MinValue);
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(date)}-W{ISOWeek.GetWeekOfYear(date):00}");
    }
}
