namespace ComplianceBot.ProgramStatus;

/// <summary>One person's own work: open and overdue occurrences (begun periods), reviews and revocations waiting on them, changes awaiting their approval.</summary>
public sealed record PersonalStatus(int OpenTasks, int OverdueTasks, DateOnly? NextDue, int ReviewsWaiting, int RevocationsWaiting, int ApprovalsWaiting);
