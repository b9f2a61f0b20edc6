namespace ComplianceBot.ProgramStatus;

/// <summary>One occurrence in a status listing; <see cref="DaysOverdue"/> is set while it is past due and unattested.</summary>
public sealed record TaskRow(
    int Id, string ControlId, string ControlTitle, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly DueDate,
    string AssigneeEmail, string AssigneeName, string? ManagerEmail, string Status, int? DaysOverdue, int? DaysLate);
