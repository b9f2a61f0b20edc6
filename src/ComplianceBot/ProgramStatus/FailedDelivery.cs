namespace ComplianceBot.ProgramStatus;

/// <summary>An outbox row that did not arrive (parked after every retry) or may not have (unconfirmed after a crash).</summary>
public sealed record FailedDelivery(long Id, string Topic, string Subject, string? To, string Status, int Attempts, DateTimeOffset CreatedAt, string? LastError);
