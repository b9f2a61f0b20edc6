namespace ComplianceBot.AccessReviews.Imports;

/// <summary>How to read a date written with day and month as numbers (01.12.2026): only the person importing can say.</summary>
public enum DateOrder
{
    Unstated,
    DayFirst,
    MonthFirst,
}
