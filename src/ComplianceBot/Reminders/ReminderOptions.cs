namespace ComplianceBot.Reminders;

/// <summary>The escalation ladder and delivery settings (section "Reminders" in appsettings.json).</summary>
public sealed class ReminderOptions
{
    /// <summary>Runs the background sweep; tests turn it off and drive <see cref="ReminderSweep"/> with a fake clock.</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Reminders before the due date, in calendar days (moved back to the previous working day when needed). Default 7 and 1.</summary>
    public int[] DaysBeforeDue { get; set; } = [];

    public bool RemindOnDueDate { get; set; } = true;

    /// <summary>Daily reminders while overdue (one per business day) stop after this many.</summary>
    public int OverdueDailyCap { get; set; } = 10;

    public int EscalateToManagerAfterBusinessDays { get; set; } = 3;

    public int EscalateToChannelAfterBusinessDays { get; set; } = 7;

    /// <summary>Company holidays: no reminder is delivered on these days and they do not count as business days.</summary>
    public DateOnly[] Holidays { get; set; } = [];

    public int BatchSize { get; set; } = 200;

    public IReadOnlyList<int> EffectiveDaysBeforeDue => DaysBeforeDue.Length > 0 ? [.. DaysBeforeDue.Where(d => d > 0).Distinct().OrderDescending()] : [7, 1];
}
