namespace ComplianceBot.ProgramStatus;

/// <summary>
/// Reminder and notice delivery from the outbox: sent in the period, failed (parked) and unconfirmed now, still pending and
/// the age of the oldest pending row (a stuck dispatcher shows here first).
/// </summary>
public sealed record DeliveryHealth(int SentInPeriod, int Failed, int Unconfirmed, int Pending, double? OldestPendingMinutes, IReadOnlyList<FailedDelivery> Problems);
