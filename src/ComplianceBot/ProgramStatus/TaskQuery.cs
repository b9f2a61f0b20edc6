namespace ComplianceBot.ProgramStatus;

/// <summary>
/// Which occurrences GET /api/admin/tasks lists: in a period, overdue only (or one stored status), due before a day,
/// of one owner, or of one manager's reports.
/// </summary>
public sealed record TaskQuery(StatusPeriod? Period = null, bool OverdueOnly = false, Tasks.ControlTaskStatus? Status = null, DateOnly? DueBefore = null,
    string? OwnerEmail = null, string? ManagerEmail = null, int Take = 1000);
