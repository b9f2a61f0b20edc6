using ComplianceBot.Digest;
using ComplianceBot.People;
using ComplianceBot.Reminders;

namespace ComplianceBot.Tests.Digest;

public sealed class DigestScheduleTests
{
    private static readonly Person NewYork = new() { Email = "lead@acme.example", Name = "Lead", TimeZone = "America/New_York" };
    private static readonly WorkingCalendar Christmas = new([new DateOnly(2026, 12, 25)]);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(12, 7, 14, 0, "2026-W50")]   // Monday 09:00 New York
    [InlineData(12, 7, 21, 59, "2026-W50")]  // 16:59, still the working day
    [InlineData(12, 7, 13, 59, null)]        // 08:59
    [InlineData(12, 7, 22, 0, null)]         // 17:00: the working day is over
    [InlineData(12, 8, 14, 0, null)]         // Tuesday
    [InlineData(12, 6, 14, 0, null)]         // Sunday
    public void AMondayDigestIsDueOnMondayInWorkingHoursOnly(int month, int day, int hour, int minute, string? week) =>
        Assert.Equal(week, DigestSchedule.DueWeek(Christmas, NewYork, DayOfWeek.Monday, 9, Utc(month, day, hour, minute)));

    [Fact]
    public void AFridayDigestOnAHolidayGoesOutOnTheNextWorkingDayUnderItsOwnWeek()
    {
        Assert.Null(DigestSchedule.DueWeek(Christmas, NewYork, DayOfWeek.Friday, 9, Utc(12, 25, 15)));
        // Monday 28 Dec is in ISO week 53; the digest it carries is still week 52's.
        Assert.Equal("2026-W52", DigestSchedule.DueWeek(Christmas, NewYork, DayOfWeek.Friday, 9, Utc(12, 28, 15)));
        Assert.Equal("2026-W53", DigestSchedule.DueWeek(Christmas, NewYork, DayOfWeek.Monday, 9, Utc(12, 28, 15)));
    }

    [Fact]
    public void AnHourOutsideSomeonesWorkingDayFallsBackToTheStartOfIt()
    {
        var earlyBird = new Person { Email = "e@acme.example", Name = "E", TimeZone = "Europe/Berlin", WorkStart = new(7, 0), WorkEnd = new(8, 30) };

        Assert.Equal("2026-W50", DigestSchedule.DueWeek(Christmas, earlyBird, DayOfWeek.Monday, 9, Utc(12, 7, 6, 15))); // 07:15 Berlin
        Assert.Null(DigestSchedule.DueWeek(Christmas, earlyBird, DayOfWeek.Monday, 9, Utc(12, 7, 8))); // 09:00 Berlin: gone home
    }
}
