using System.Text.Json;
using System.Text.RegularExpressions;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Help;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Channels.Slack;

/// <summary>Slack's app-wide state we learn from events (tokens revoked / app uninstalled stops proactive sends).</summary>
public sealed class SlackInstallationState
{
    private volatile bool _revoked;

    public bool Revoked { get => _revoked; set => _revoked = value; }
}

/// <summary>Handles one stored Events API delivery: DMs, mentions, files, App Home, uninstall.</summary>
public sealed partial class SlackEventHandler(
    SlackIdentity identity,
    TurnProcessor processor,
    OutboxWriter outbox,
    SlackApiClient api,
    FlowRouter router,
    IEnumerable<HelpTopic> topics,
    ComplianceDbContext db,
    AuditTrail audit,
    SlackInstallationState installation,
    PersonResolutionCache resolutions,
    TimeProvider clock,
    ILogger<SlackEventHandler> logger)
{
    private static readonly HashSet<string> Handled = ["message", "app_mention", "file_shared", "app_home_opened", "tokens_revoked", "app_uninstalled"];

    /// <summary>Cheap pre-check: false for events we receive but never act on (channel messages, edits, bots — including ourselves).</summary>
    public static bool IsWorthProcessing(string eventType, string payload)
    {
        if (!Handled.Contains(eventType))
        {
            return false;
        }

        if (eventType is not ("message" or "app_mention"))
        {
            return true;
        }

        using var document = JsonDocument.Parse(payload);
        var e = document.RootElement.TryGetProperty("event", out var inner) ? inner : default;
        if (e.ValueKind != JsonValueKind.Object || e.TryGetProperty("bot_id", out _) || Str(e, "user") is null || IsOwnUser(document.RootElement, Str(e, "user")))
        {
            return false;
        }

        return eventType == "app_mention"
            || (Str(e, "channel_type") == "im" && Str(e, "subtype") is null or "file_share");
    }

    /// <summary>The outbox topic of replies to events; their key is <see cref="ReplyKey"/>.</summary>
    public const string ReplyTopic = "slack.reply";

    /// <summary>One event, one set of replies: the key that makes a second answer to the same event impossible.</summary>
    public static string ReplyKey(SlackInboxEvent row) => $"slack:{row.TeamId}:{row.EventId}";

    public async Task HandleAsync(SlackInboxEvent row, CancellationToken cancellationToken)
    {
        if (await db.Outbox.AnyAsync(m => m.Key == ReplyKey(row), cancellationToken))
        {
            // Its turn and replies were committed before a host stopped short of marking the event processed.
            logger.LogInformation("Slack event {EventId} was already answered; not running it again", row.EventId);
            return;
        }

        using var document = JsonDocument.Parse(row.Payload);
        var root = document.RootElement;
        var e = root.GetProperty("event");
        switch (row.EventType)
        {
            case "message":
                await MessageAsync(row, e, direct: true, cancellationToken);
                break;
            case "app_mention":
                await MessageAsync(row, e, direct: false, cancellationToken);
                break;
            case "file_shared":
                await FileSharedAsync(row, e, cancellationToken);
                break;
            case "app_home_opened" when Str(e, "tab") is null or "home":
                await PublishHomeAsync(row.TeamId, Str(e, "user")!, cancellationToken);
                break;
            case "tokens_revoked" or "app_uninstalled":
                await RevokedAsync(row.TeamId, row.EventType, cancellationToken);
                break;
        }
    }

    /// <summary>Builds the App Home from the same flows a DM reaches: my tasks, plus approvals and reviews where those flows exist.</summary>
    public async Task PublishHomeAsync(string teamId, string userId, CancellationToken cancellationToken)
    {
        var from = await identity.ResolveAsync(teamId, userId, cancellationToken);
        var replies = new List<Reply>();
        // The status flow decides what its home block shows (the program for admins, the team for managers, nothing otherwise).
        if (router.Flows.Any(f => f.Name == ProgramStatus.StatusFlow.FlowName))
        {
            var status = await processor.ProcessAsync(new Turn(from, "home:" + userId)
            {
                Action = new TurnAction(ProgramStatus.StatusFlow.HomeAction, new Dictionary<string, string>()),
                IsDirect = false,
            }, cancellationToken);
            if (status.Person is not null)
            {
                replies.AddRange(status.Replies.Select(r => r with { Form = null, UpdatesSource = false }));
            }
        }

        foreach (var command in new[] { "tasks", "approvals", "reviews" })
        {
            if (command != "tasks" && !router.Flows.Any(f => f.Commands.Contains(command)))
            {
                continue;
            }

            var result = await processor.ProcessAsync(new Turn(from, "home:" + userId) { Text = command, IsDirect = false }, cancellationToken);
            replies.AddRange(result.Replies.Select(r => r with { Form = null, UpdatesSource = false }));
            if (result.Person is null)
            {
                break;
            }
        }

        var buttons = topics.OrderBy(t => t.Order).Where(t => t.Button is not null).Select(t => t.Button!).ToList();
        replies.Add(new Reply("Send me a direct message any time, or use /compliance.") { Title = "Quick actions", Actions = buttons });
        await api.PublishViewAsync(userId, SlackRenderer.RenderHome(replies, "There is more than fits here: message me \"tasks\" to see everything."), cancellationToken);
    }

    private async Task MessageAsync(SlackInboxEvent row, JsonElement e, bool direct, CancellationToken cancellationToken)
    {
        var teamId = row.TeamId;
        var userId = Str(e, "user")!;
        var channel = Str(e, "channel")!;
        var text = Str(e, "text") ?? "";
        if (!direct)
        {
            text = MentionPattern().Replace(text, "").Trim();
        }

        text = SlackText.Decode(text);

        var files = new List<IncomingFile>();
        if (e.TryGetProperty("files", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var file in list.EnumerateArray())
            {
                if (Str(file, "id") is { } id && await ClaimFileAsync(teamId, id, cancellationToken))
                {
                    files.Add(ToIncoming(new SlackFile(id, Str(file, "name") ?? "file", Str(file, "mimetype"),
                        file.TryGetProperty("size", out var size) && size.TryGetInt64(out var s) ? s : null,
                        Str(file, "url_private_download") ?? Str(file, "url_private"))));
                }
            }
        }

        if (string.IsNullOrWhiteSpace(text) && files.Count == 0)
        {
            return;
        }

        var from = await identity.ResolveAsync(teamId, userId, cancellationToken);
        var turn = new Turn(from, channel) { Text = text, Files = files, IsDirect = direct, ConversationReference = direct ? channel : null };
        var thread = direct ? Str(e, "thread_ts") : Str(e, "thread_ts") ?? Str(e, "ts");
        await RunTurnAsync(row, turn, new ConversationTarget(ChannelKind.Slack, channel, thread), cancellationToken);
    }

    /// <summary>
    /// Runs the turn with its replies written to the outbox in the turn's own save, then delivers them. A crash before that
    /// save answers nothing and the event runs again; after it, the replies go out once (keyed in Slack's message metadata).
    /// </summary>
    private async Task RunTurnAsync(SlackInboxEvent row, Turn turn, ConversationTarget target, CancellationToken cancellationToken)
    {
        await processor.ProcessAsync(turn, cancellationToken, replies =>
        {
            if (replies.Count > 0)
            {
                outbox.ToConversation(target, replies, ReplyKey(row), ReplyTopic, "slack/" + row.TeamId);
            }
        });
        await outbox.DeliverAsync(cancellationToken);
    }

    private async Task FileSharedAsync(SlackInboxEvent row, JsonElement e, CancellationToken cancellationToken)
    {
        var teamId = row.TeamId;
        // A file shared in a DM also arrives as a message.im with subtype file_share; whichever comes first claims it.
        var fileId = Str(e, "file_id") ?? (e.TryGetProperty("file", out var f) ? Str(f, "id") : null);
        var channel = Str(e, "channel_id");
        var userId = Str(e, "user_id");
        if (fileId is null || channel is null || userId is null || !channel.StartsWith('D') || !await ClaimFileAsync(teamId, fileId, cancellationToken))
        {
            return;
        }

        var file = await api.FileInfoAsync(fileId, cancellationToken);
        var from = await identity.ResolveAsync(teamId, userId, cancellationToken);
        await RunTurnAsync(row, new Turn(from, channel) { Files = [ToIncoming(file)], ConversationReference = channel }, new ConversationTarget(ChannelKind.Slack, channel), cancellationToken);
    }

    private IncomingFile ToIncoming(SlackFile file) => new(file.Name, file.MimeType, file.Size, ct =>
        file.UrlPrivate is { } url ? api.DownloadAsync(url, ct) : throw new SlackFileDownloadException($"Slack gave no download URL for {file.Name}."));

    /// <summary>One turn per file even though Slack announces it twice (message + file_shared): the inbox's unique key decides.</summary>
    private async Task<bool> ClaimFileAsync(string teamId, string fileId, CancellationToken cancellationToken)
    {
        var key = "file:" + fileId;
        if (await db.Set<SlackInboxEvent>().AnyAsync(e => e.TeamId == teamId && e.EventId == key, cancellationToken))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var claim = new SlackInboxEvent { TeamId = teamId, EventId = key, EventType = "file_claim", Payload = "{}", ReceivedAt = now, ProcessedAt = now };
        db.Add(claim);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.Entry(claim).State = EntityState.Detached;
            return false;
        }
    }

    private async Task RevokedAsync(string teamId, string eventType, CancellationToken cancellationToken)
    {
        installation.Revoked = true;
        logger.LogWarning("Slack {Event} for team {TeamId}: proactive Slack messages stop until the app is reinstalled and the host restarted", eventType, teamId);
        // Stored DM ids are worthless without the token; forget them so a reinstall starts clean.
        await db.ChannelAccounts.Where(a => a.Channel == ChannelKind.Slack && a.TenantId == teamId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ConversationId, (string?)null).SetProperty(a => a.ConversationReference, (string?)null), cancellationToken);
        // So the next direct message stores its DM id again instead of matching the remembered one.
        resolutions.Clear();
        audit.Record("slack:" + teamId, "slack." + eventType, "slack/" + teamId);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static bool IsOwnUser(JsonElement root, string? userId)
    {
        if (userId is null || !root.TryGetProperty("authorizations", out var authorizations) || authorizations.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var authorization in authorizations.EnumerateArray())
        {
            if (authorization.TryGetProperty("is_bot", out var isBot) && isBot.ValueKind == JsonValueKind.True && Str(authorization, "user_id") == userId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Events of one conversation are handled in order; different conversations in parallel.</summary>
    public static string ConversationKey(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var e = document.RootElement.TryGetProperty("event", out var ev) ? ev : default;
        return Str(e, "channel") ?? Str(e, "channel_id") ?? Str(e, "user") ?? Str(e, "user_id") ?? "";
    }

    /// <summary>
    /// A string property, or null when the element is not an object, the property is missing or not a string, or the
    /// string holds a lone surrogate ("\ud800" is valid JSON but cannot become a .NET string: GetString throws).
    /// </summary>
    internal static string? Str(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"<@[A-Z0-9]+(\|[^>]*)?>")]
    private static partial Regex MentionPattern();
}
