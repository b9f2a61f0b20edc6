using System.Globalization;

namespace ComplianceBot.Tasks;

/// <summary>What "my tasks" narrows to when people ask in words: overdue only, due within days, one control, one system.</summary>
public sealed record TaskFilter(bool OverdueOnly = false, int? DueWithinDays = null, string? ControlId = null, string? System = null)
{
    public static TaskFilter All { get; } = new();

    public bool IsAll => this == All;

    public string Describe()
    {
        var parts = new List<string>();
        if (OverdueOnly)
        {
            parts.Add("overdue");
        }

        if (DueWithinDays is { } days)
        {
            parts.Add(days == 0 ? "due today" : $"due within {days} days");
        }

        if (ControlId is not null)
        {
            parts.Add($"for {ControlId}");
        }

        if (System is not null)
        {
            parts.Add($"for {System}");
        }

        return string.Join(", ", parts);
    }

    public Dictionary<string, string> ToData()
    {
        var data = new Dictionary<string, string>();
        if (OverdueOnly)
        {
            data["overdue"] = "1";
        }

        if (DueWithinDays is { } days)
        {
            data["within"] = days.ToString(CultureInfo.InvariantCulture);
        }

        if (ControlId is not null)
        {
            data["control"] = ControlId;
        }

        if (System is not null)
        {
            data["system"] = System;
        }

        return data;
    }

    public static TaskFilter FromData(Conversations.TurnAction? action) => action is null ? All : new(
        action.Get("overdue") == "1",
        int.TryParse(action.Get("within"), CultureInfo.InvariantCulture, out var days) ? days : null,
        action.Get("control"),
        action.Get("system"));
}
