namespace ComplianceBot.Outbox;

/// <summary>What an outbox row delivers, and so how its delivery is checked after a crash.</summary>
public enum OutboxKind
{
    /// <summary>A message to a person on their preferred channel (with fallback); the delivery key travels with it.</summary>
    Person,

    /// <summary>A post to a named shared channel ("#compliance").</summary>
    SharedChannel,

    /// <summary>Replies into the conversation a turn came from (Slack events), each part keyed, in order.</summary>
    Conversation,

    /// <summary>Replaces the message another outbox row sent (card updates); idempotent, so simply redone after a crash.</summary>
    Update,

    /// <summary>An HTTP POST to an integration (change callbacks), carrying the delivery key as a header.</summary>
    Webhook,
}

public enum OutboxStatus
{
    Pending,
    Sent,

    /// <summary>Every attempt failed: kept, audited, listed for admins and announced in the compliance channel.</summary>
    Parked,

    /// <summary>
    /// A host died mid-send on a channel that cannot say whether the message arrived (Teams): neither resent (a possible
    /// duplicate) nor assumed sent (a possible gap); audited, alerted, and a person decides.
    /// </summary>
    Unconfirmed,

    /// <summary>Not needed any more: a newer update of the same message replaced it, or its target was never delivered.</summary>
    Superseded,
}
