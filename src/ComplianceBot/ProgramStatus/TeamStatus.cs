namespace ComplianceBot.ProgramStatus;

/// <summary>A manager's view: their active reports, the reports' overdue occurrences and the access reviews their reports still have open.</summary>
public sealed record TeamStatus(int Reports, IReadOnlyList<OverdueOwner> OverdueByPerson, IReadOnlyList<TaskRow> OverdueTasks, IReadOnlyList<ReviewProgress> Reviews, int OpenTasks);
