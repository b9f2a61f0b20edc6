namespace ComplianceBot.ProgramStatus;

/// <summary>One control's occurrences in the period.</summary>
public sealed record ControlStatusRow(string ControlId, string Title, string Frequency, string OwnerEmail, string OwnerName, IReadOnlyList<string> Categories, OccurrenceCounts Counts);
