namespace ComplianceBot.Tests.Soak;

/// <summary>A proactive message the soak's Bot Connector took: where, the id it answered, the key its card carries.</summary>
public sealed record PostedCard(string ConversationId, string ActivityId, string? DeliveryKey);
