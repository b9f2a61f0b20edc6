namespace ComplianceBot.ProgramStatus;

/// <summary>A change request still waiting for approval, how long it has waited and on whom.</summary>
public sealed record WaitingChange(int Id, string Title, string System, string Risk, string RequesterEmail, DateTimeOffset CreatedAt, double HoursWaiting, IReadOnlyList<string> WaitingOn);
