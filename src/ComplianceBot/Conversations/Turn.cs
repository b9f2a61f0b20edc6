namespace ComplianceBot.Conversations;

/// <summary>The channels a turn can arrive from; flows never branch on it except to say where something happened.</summary>
public enum ChannelKind
{
    Web,
    Slack,
    Teams,
}

/// <summary>Who sent a turn, as the channel knows them. The turn processor resolves this to a <see cref="People.Person"/>.</summary>
/// <param name="TenantId">Slack team id, Teams tenant id, or "local" for the web chat.</param>
/// <param name="UserId">Slack user id, Teams AAD object id, or the web chat's email.</param>
/// <param name="Email">The email the channel vouches for, when it knows one (Slack users.info, Teams roster, web chat picker).</param>
public sealed record ChannelUser(ChannelKind Channel, string TenantId, string UserId, string? Email = null, string? DisplayName = null);

/// <summary>A button press or form submission: the action id a flow published, plus its data and any input values.</summary>
public sealed record TurnAction(string Id, IReadOnlyDictionary<string, string> Data)
{
    public string? Get(string key) => Data.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}

/// <summary>A file attached to a turn. The channel knows how to download it; flows only open the stream.</summary>
public sealed record IncomingFile(string Name, string? ContentType, long? Length, Func<CancellationToken, Task<Stream>> OpenAsync);

/// <summary>A message we sent that a later action or decision may update (Slack channel + ts, Teams activity id, web message id).</summary>
public sealed record MessageRef(ChannelKind Channel, string ConversationId, string MessageId);

/// <summary>One inbound interaction, channel-neutral: text, or an action, and/or files.</summary>
public sealed record Turn(ChannelUser From, string ConversationId)
{
    public string? Text { get; init; }
    public TurnAction? Action { get; init; }
    public IReadOnlyList<IncomingFile> Files { get; init; } = [];

    /// <summary>The message the action was clicked on, so the reply can replace it.</summary>
    public MessageRef? Source { get; init; }

    /// <summary>True in a 1:1 conversation with the bot (Slack DM, Teams personal chat, web chat).</summary>
    public bool IsDirect { get; init; } = true;

    /// <summary>The channel's own reference for proactive messages later (Teams ConversationReference JSON, Slack DM channel id).</summary>
    public string? ConversationReference { get; init; }
}
