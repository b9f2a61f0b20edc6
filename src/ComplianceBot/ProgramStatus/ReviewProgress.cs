namespace ComplianceBot.ProgramStatus;

/// <summary>An access review's progress: decided (keep/revoke) vs undecided accounts, open revocations and days to its due date (negative: overdue).</summary>
public sealed record ReviewProgress(
    int Id, string System, string Period, string ReviewerEmail, string ReviewerName, string Status, int Accounts, int Decided, int Undecided,
    int OpenRevocations, DateOnly DueDate, int DaysToDue);
