namespace ComplianceBot.Conversations;

/// <summary>A conversation to reply into (a Slack DM or channel, optionally inside a thread), for replies written to the outbox.</summary>
/// <param name="ThreadId">Reply inside this thread (Slack thread_ts); null for the conversation itself.</param>
public sealed record ConversationTarget(ChannelKind Channel, string ConversationId, string? ThreadId = null);
