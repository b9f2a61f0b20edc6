using System.Text.Json;
using ComplianceBot.Conversations;

namespace ComplianceBot.Outbox;

/// <summary>How replies are stored in <see cref="OutboxMessage.Payload"/>: the channel-neutral <see cref="Reply"/> records as JSON.</summary>
public static class OutboxJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(IReadOnlyList<Reply> replies) => JsonSerializer.Serialize(replies, Options);
}
