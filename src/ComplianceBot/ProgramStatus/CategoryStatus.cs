namespace ComplianceBot.ProgramStatus;

/// <summary>A Trust Services category (Security, Availability…) summed over the controls mapped to it.</summary>
public sealed record CategoryStatus(string Category, int Controls, OccurrenceCounts Counts);
