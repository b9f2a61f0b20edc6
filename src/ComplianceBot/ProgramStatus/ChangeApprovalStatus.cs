namespace ComplianceBot.ProgramStatus;

/// <summary>
/// Changes waiting now, and lead times (submitted to decided, in hours) of the changes decided in the period.
/// Lead-time figures are null when nothing was decided in the period.
/// </summary>
public sealed record ChangeApprovalStatus(
    int Waiting, IReadOnlyList<WaitingChange> WaitingChanges, int Approved, int Rejected, int Expired,
    double? MedianLeadHours, double? P90LeadHours, double? LongestLeadHours);
