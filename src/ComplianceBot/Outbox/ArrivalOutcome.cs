namespace ComplianceBot.Outbox;

/// <summary>What <see cref="OutboxMessage.RecordArrival"/> learnt from the recipient acting on a message.</summary>
public enum ArrivalOutcome
{
    /// <summary>Nothing was in doubt about this row (or it is about another message).</summary>
    Unchanged,

    /// <summary>An attempt in flight arrived; the dispatcher finishes the row without asking the channel.</summary>
    Remembered,

    /// <summary>An unconfirmed row is now sent.</summary>
    Confirmed,
}
