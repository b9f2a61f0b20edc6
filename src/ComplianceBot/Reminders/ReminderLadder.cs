using System.Globalization;
using ComplianceBot.People;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Reminders;

/// <summary>One planned rung: which step, for whom, and the earliest moment to deliver it.</summary>
public sealed record PlannedReminder(string Step, ReminderAudience Audience, int? RecipientId, DateTimeOffset DueAt);

/// <summary>
/// Turns a due date into the configured ladder: before due, on due, daily while overdue (business days, capped),
/// then the manager and the compliance channel. Each step lands at the start of the recipient's working day.
/// </summary>
public sealed class ReminderLadder(IOptions<ReminderOptions> options)
{
    public const string DueStep = "due";
    public const string ManagerStep = "escalate-manager";
    public const string ChannelStep = "escalate-channel";

    public WorkingCalendar Calendar { get; } = new(options.Value.Holidays);

    public ReminderOptions Options => options.Value;

    /// <summary>How many days ahead of its due date a task first needs a reminder.</summary>
    public int LeadDays => Options.EffectiveDaysBeforeDue.DefaultIfEmpty(0).Max();

    public IReadOnlyList<PlannedReminder> Plan(DateOnly due, Person owner, Person? manager)
    {
        var o = Options;
        var ownerSteps = new List<(string Step, DateOnly Day)>();
        foreach (var days in o.EffectiveDaysBeforeDue)
        {
            ownerSteps.Add(($"due-{days}", Calendar.PreviousWorkingDay(owner, due.AddDays(-days))));
        }

        if (o.RemindOnDueDate)
        {
            ownerSteps.Add((DueStep, Calendar.PreviousWorkingDay(owner, due)));
        }

        for (var k = 1; k <= o.OverdueDailyCap; k++)
        {
            ownerSteps.Add(($"overdue-{k}", Calendar.AddBusinessDays(owner, due, k)));
        }

        // Two rungs on one day (a due date after a weekend pulls "1 day before" onto "due") become the later one.
        var planned = ownerSteps
            .Where((s, i) => !ownerSteps.Skip(i + 1).Any(later => later.Day <= s.Day))
            .Select(s => new PlannedReminder(s.Step, ReminderAudience.Owner, owner.Id, WorkingCalendar.StartOfWork(owner, s.Day)))
            .ToList();

        if (o.EscalateToManagerAfterBusinessDays > 0 && manager is { IsActive: true })
        {
            var day = Calendar.NextWorkingDay(manager, Calendar.AddBusinessDays(owner, due, o.EscalateToManagerAfterBusinessDays));
            planned.Add(new(ManagerStep, ReminderAudience.Manager, manager.Id, WorkingCalendar.StartOfWork(manager, day)));
        }

        if (o.EscalateToChannelAfterBusinessDays > 0)
        {
            var day = Calendar.AddBusinessDays(owner, due, o.EscalateToChannelAfterBusinessDays);
            planned.Add(new(ChannelStep, ReminderAudience.Channel, null, WorkingCalendar.StartOfWork(owner, day)));
        }

        return planned;
    }

    /// <summary>Business days a due date is behind, on the owner's calendar (0 when not overdue).</summary>
    public int BusinessDaysOverdue(Person owner, DateOnly due, DateOnly today)
    {
        var count = 0;
        for (var day = due.AddDays(1); day <= today && count < 1000; day = day.AddDays(1))
        {
            if (Calendar.IsWorkingDay(owner, day))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>"Snooze 1 day" lands at the next working time a day from now; "until Monday" at the start of the next Monday (or the working day after).</summary>
    public DateTimeOffset SnoozeUntil(Person person, string choice, DateTimeOffset now)
    {
        if (choice == "monday")
        {
            var today = WorkingCalendar.LocalDate(person, now);
            var daysAhead = ((int)DayOfWeek.Monday - (int)today.DayOfWeek + 7) % 7;
            var monday = today.AddDays(daysAhead == 0 ? 7 : daysAhead);
            return WorkingCalendar.StartOfWork(person, Calendar.NextWorkingDay(person, monday));
        }

        // A date ("snooze till 4 Jan"): the start of the first working day on or after it, never in the past.
        if (DateOnly.TryParseExact(choice, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date > WorkingCalendar.LocalDate(person, now))
        {
            var day = Calendar.IsWorkingDay(person, date) ? date : Calendar.NextWorkingDay(person, date);
            return WorkingCalendar.StartOfWork(person, day);
        }

        return Calendar.NextDeliveryTime(person, now.AddDays(1));
    }

    public static string Describe(Person person, DateTimeOffset instant) =>
        person.LocalTime(instant).ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture) + " your time";
}
