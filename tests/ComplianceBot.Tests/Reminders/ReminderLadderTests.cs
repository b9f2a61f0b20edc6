using ComplianceBot.People;
using ComplianceBot.Reminders;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tests.Reminders;

public sealed class ReminderLadderTests
{
    private static ReminderLadder Ladder(params DateOnly[] holidays) => new(Options.Create(new ReminderOptions { Holidays = holidays }));

    private static Person InZone(string zone) => new() { Email = $"{zone}@acme.example", Name = zone, TimeZone = zone };

    private static DateTimeOffset Utc(int month, int day, int hour, int year = 2026) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, DateTimeOffset> Steps(IReadOnlyList<PlannedReminder> plan) => plan.ToDictionary(p => p.Step, p => p.DueAt);

    [Fact]
    public void TheDefaultLadderRemindsBeforeOnAndAfterTheDueDateAndEscalatesOnBusinessDays()
    {
        var owner = InZone("America/New_York");
        var manager = InZone("America/New_York");

        var steps = Steps(Ladder().Plan(new DateOnly(2026, 12, 7), owner, manager));

        Assert.Equal(Utc(11, 30, 14), steps["due-7"]);
        Assert.Equal(Utc(12, 4, 14), steps["due-1"]); // Sunday moves back to Friday
        Assert.Equal(Utc(12, 7, 14), steps["due"]);
        Assert.Equal(Utc(12, 8, 14), steps["overdue-1"]);
        Assert.Equal(Utc(12, 14, 14), steps["overdue-5"]); // the weekend is skipped
        Assert.Equal(Utc(12, 21, 14), steps["overdue-10"]);
        Assert.False(steps.ContainsKey("overdue-11"));
        Assert.Equal(Utc(12, 10, 14), steps[ReminderLadder.ManagerStep]);
        Assert.Equal(Utc(12, 16, 14), steps[ReminderLadder.ChannelStep]);
    }

    [Fact]
    public void StartOfWorkFollowsEuropeanDaylightSavingTime()
    {
        var steps = Steps(Ladder().Plan(new DateOnly(2026, 3, 30), InZone("Europe/Berlin"), null));

        Assert.Equal(Utc(3, 27, 8), steps["due-1"]); // 09:00 CET
        Assert.Equal(Utc(3, 30, 7), steps["due"]);   // 09:00 CEST, the day after the clocks moved
        Assert.False(steps.ContainsKey(ReminderLadder.ManagerStep));
    }

    [Fact]
    public void StartOfWorkFollowsTheEndOfUsDaylightSavingTime()
    {
        var steps = Steps(Ladder().Plan(new DateOnly(2026, 11, 2), InZone("America/New_York"), null));

        Assert.Equal(Utc(10, 30, 13), steps["due-1"]); // 09:00 EDT
        Assert.Equal(Utc(11, 2, 14), steps["due"]);    // 09:00 EST
    }

    [Fact]
    public void HolidaysAreSkippedAndRungsThatLandOnOneDayCollapse()
    {
        var steps = Steps(Ladder(new DateOnly(2026, 12, 25)).Plan(new DateOnly(2026, 12, 25), InZone("America/New_York"), null));

        Assert.Equal(Utc(12, 24, 14), steps["due"]);
        Assert.False(steps.ContainsKey("due-1")); // also the 24th: the "due" reminder covers it
        Assert.Equal(Utc(12, 28, 14), steps["overdue-1"]);
    }

    [Fact]
    public void EachRecipientIsRemindedInTheirOwnTimeZone()
    {
        var owner = InZone("Asia/Tokyo");
        var manager = InZone("Europe/London");

        var steps = Steps(Ladder().Plan(new DateOnly(2026, 12, 7), owner, manager));

        Assert.Equal(Utc(12, 7, 0), steps["due"]); // 09:00 in Tokyo
        Assert.Equal(Utc(12, 10, 9), steps[ReminderLadder.ManagerStep]); // 09:00 in London
    }

    [Fact]
    public void CustomWorkingDaysAreRespected()
    {
        var owner = InZone("Asia/Jerusalem");
        owner.WorkDays = WorkDays.Sun | WorkDays.Mon | WorkDays.Tue | WorkDays.Wed | WorkDays.Thu;

        var steps = Steps(Ladder().Plan(new DateOnly(2026, 12, 5), owner, null)); // a Saturday

        Assert.Equal(Utc(12, 3, 7), steps["due"]); // Thursday 09:00 IST
        Assert.Equal(Utc(12, 6, 7), steps["overdue-1"]); // Sunday is a working day there
    }

    [Fact]
    public void DeliveryOutsideWorkingHoursWaitsForTheNextWorkingMorning()
    {
        var calendar = Ladder().Calendar;
        var owner = InZone("America/New_York");

        Assert.Equal(Utc(11, 27, 15), calendar.NextDeliveryTime(owner, Utc(11, 27, 15)));
        Assert.Equal(Utc(11, 30, 14), calendar.NextDeliveryTime(owner, Utc(11, 27, 23))); // Friday 18:00 → Monday 09:00
        Assert.Equal(Utc(11, 30, 14), calendar.NextDeliveryTime(owner, Utc(11, 30, 5)));  // Monday 00:00 → 09:00
    }

    [Fact]
    public void SnoozeUntilMondayAndForOneDayLandInWorkingTime()
    {
        var ladder = Ladder();
        var owner = InZone("America/New_York");

        Assert.Equal(Utc(11, 30, 14), ladder.SnoozeUntil(owner, "monday", Utc(11, 27, 14)));
        Assert.Equal(Utc(11, 30, 14), ladder.SnoozeUntil(owner, "1d", Utc(11, 27, 14))); // Saturday is not a working day
        Assert.Equal(Utc(12, 2, 15), ladder.SnoozeUntil(owner, "1d", Utc(12, 1, 15)));
        Assert.Equal(Utc(12, 7, 14), ladder.SnoozeUntil(owner, "monday", Utc(11, 30, 15))); // on a Monday: the next one
    }

    [Fact]
    public void ConfiguredLadderReplacesTheDefault()
    {
        var ladder = new ReminderLadder(Options.Create(new ReminderOptions { DaysBeforeDue = [3], OverdueDailyCap = 2, EscalateToChannelAfterBusinessDays = 0 }));

        var steps = ladder.Plan(new DateOnly(2026, 12, 9), InZone("UTC"), null).Select(p => p.Step).ToList();

        Assert.Equal(["due-3", "due", "overdue-1", "overdue-2"], steps);
    }
}
