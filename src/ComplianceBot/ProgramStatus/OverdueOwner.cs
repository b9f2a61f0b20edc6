namespace ComplianceBot.ProgramStatus;

/// <summary>A person with occurrences past their due date and still unattested (any period), with their manager to nudge.</summary>
public sealed record OverdueOwner(string Email, string Name, string? ManagerEmail, string? ManagerName, int Overdue, int MostDaysOverdue, IReadOnlyList<string> Controls);
