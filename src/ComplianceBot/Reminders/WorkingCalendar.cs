using ComplianceBot.People;

namespace ComplianceBot.Reminders;

/// <summary>
/// A person's working time: their work days and hours in their own time zone, minus company holidays.
/// All conversions go through <see cref="TimeZoneInfo"/>, so a DST change moves the UTC instant, not the local hour.
/// </summary>
public sealed class WorkingCalendar(IEnumerable<DateOnly> holidays)
{
    private readonly HashSet<DateOnly> _holidays = [.. holidays];

    public bool IsHoliday(DateOnly day) => _holidays.Contains(day);

    public bool IsWorkingDay(Person person, DateOnly day) => !_holidays.Contains(day) && (person.WorkDays & Flag(day.DayOfWeek)) != 0;

    public DateOnly NextWorkingDay(Person person, DateOnly day) => Step(person, day, +1);

    public DateOnly PreviousWorkingDay(Person person, DateOnly day) => Step(person, day, -1);

    /// <summary>The date <paramref name="count"/> working days after <paramref name="day"/>.</summary>
    public DateOnly AddBusinessDays(Person person, DateOnly day, int count)
    {
        var current = day;
        for (var i = 0; i < count; i++)
        {
            current = NextWorkingDay(person, current.AddDays(1));
        }

        return current;
    }

    /// <summary>The person's start of work on a day, as a UTC instant.</summary>
    public static DateTimeOffset StartOfWork(Person person, DateOnly day) => ToUtc(person, day.ToDateTime(person.WorkStart));

    /// <summary>The person's local date at an instant.</summary>
    public static DateOnly LocalDate(Person person, DateTimeOffset instant) => DateOnly.FromDateTime(person.LocalTime(instant).DateTime);

    /// <summary>The instant itself when it falls in the person's working hours on a working day; else the start of their next working time.</summary>
    public DateTimeOffset NextDeliveryTime(Person person, DateTimeOffset notBefore)
    {
        var local = person.LocalTime(notBefore);
        var day = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (IsWorkingDay(person, day) && time >= person.WorkStart && time < person.WorkEnd)
        {
            return notBefore;
        }

        var next = IsWorkingDay(person, day) && time < person.WorkStart ? day : NextWorkingDay(person, day.AddDays(1));
        return StartOfWork(person, next);
    }

    private DateOnly Step(Person person, DateOnly day, int direction)
    {
        // A person with no working days at all still gets their reminders, on the calendar day.
        for (var i = 0; i < 370; i++)
        {
            var candidate = day.AddDays(i * direction);
            if (IsWorkingDay(person, candidate))
            {
                return candidate;
            }
        }

        return day;
    }

    private static DateTimeOffset ToUtc(Person person, DateTime local)
    {
        var zone = person.TimeZoneInfo;
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // Start of work inside a spring-forward gap (02:30 that day does not exist) moves on by the gap.
        while (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddMinutes(30);
        }

        var offset = zone.IsAmbiguousTime(unspecified) ? zone.GetAmbiguousTimeOffsets(unspecified).Max() : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset).ToUniversalTime();
    }

    private static WorkDays Flag(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => WorkDays.Mon,
        DayOfWeek.Tuesday => WorkDays.Tue,
        DayOfWeek.Wednesday => WorkDays.Wed,
        DayOfWeek.Thursday => WorkDays.Thu,
        DayOfWeek.Friday => WorkDays.Fri,
        DayOfWeek.Saturday => WorkDays.Sat,
        _ => WorkDays.Sun,
    };
}
