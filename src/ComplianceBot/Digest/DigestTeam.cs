namespace ComplianceBot.Digest;

/// <summary>A manager and their direct reports: the scope of a manager's digest (the program digest has none).</summary>
public sealed record DigestTeam(int ManagerId, IReadOnlyList<int> Members);
