using System.Globalization;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using ComplianceBot.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Outbox;

public sealed record DispatchResult(int Sent, int Failed, int Retrying, int Deferred, int Cancelled, int Unconfirmed = 0)
{
    public static readonly DispatchResult None = new(0, 0, 0, 0, 0);

    public static DispatchResult operator +(DispatchResult a, DispatchResult b) => new(
        a.Sent + b.Sent, a.Failed + b.Failed, a.Retrying + b.Retrying, a.Deferred + b.Deferred, a.Cancelled + b.Cancelled, a.Unconfirmed + b.Unconfirmed);
}

/// <summary>
/// Delivers outbox rows. Each is claimed first with a conditional UPDATE (pending, due, not leased by anyone else, no
/// older pending row of the same conversation), so any number of hosts on one database deliver it once; a dead host's
/// lease runs out. Each send carries the row's key and is recorded as in flight (committed) before it starts, so the
/// host that picks up an expired lease asks the channel what happened instead of sending a second copy.
/// Failures retry on one backoff rule and end parked: audited, alerted, listed at GET /api/admin/outbox?status=Parked.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<OutboxOptions> options, ComplianceMetrics metrics, ILogger<OutboxDispatcher> logger)
{
    /// <summary>This dispatcher's name in <see cref="OutboxMessage.LeaseOwner"/>.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    private OutboxOptions Policy => options.Value;

    /// <summary>Delivers every due row (batch after batch) until none is left that this host may take.</summary>
    public async Task<DispatchResult> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var total = DispatchResult.None;
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            List<long> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
                due = await Claimable(db, now).OrderBy(m => m.DueAt).ThenBy(m => m.Id).Select(m => m.Id).Take(Policy.BatchSize).ToListAsync(cancellationToken);
            }

            var (result, progressed) = await DeliverCoreAsync(due, now, cancellationToken);
            total += result;
            // Stop when nothing is left, or when everything left is someone else's (claimed by another host).
            if (due.Count < Policy.BatchSize || progressed == 0)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>Delivers these rows now if they are due and free (right after the save that wrote them).</summary>
    public async Task<DispatchResult> DeliverAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken) =>
        (await DeliverCoreAsync(ids, clock.GetUtcNow(), cancellationToken)).Result;

    /// <summary>Rows waiting and the oldest one's age (a hook for metrics and health checks).</summary>
    public static async Task<(int Pending, TimeSpan OldestAge)> DepthAsync(ComplianceDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = db.Outbox.Where(m => m.Status == OutboxStatus.Pending);
        var count = await pending.CountAsync(cancellationToken);
        var oldest = count == 0 ? now : await pending.MinAsync(m => m.CreatedAt, cancellationToken);
        return (count, now - oldest);
    }

    private static IQueryable<OutboxMessage> Claimable(ComplianceDbContext db, DateTimeOffset now) =>
        db.Outbox.Where(m => m.Status == OutboxStatus.Pending && m.DueAt <= now && (m.LeaseUntil == null || m.LeaseUntil < now)
            && (m.OrderingKey == null || !db.Outbox.Any(o => o.OrderingKey == m.OrderingKey && o.Status == OutboxStatus.Pending && o.Id < m.Id)));

    private async Task<(DispatchResult Result, int Progressed)> DeliverCoreAsync(IReadOnlyList<long> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (sent, failed, retrying, deferred, superseded, unconfirmed, progressed) = (0, 0, 0, 0, 0, 0, 0);
        foreach (var id in ids)
        {
            await using var scope = scopes.CreateAsyncScope();
            var outcome = await DeliverOneAsync(scope.ServiceProvider, id, now, cancellationToken);
            switch (outcome)
            {
                case Outcome.Sent: sent++; break;
                case Outcome.Parked: failed++; break;
                case Outcome.Retrying: retrying++; break;
                case Outcome.Deferred: deferred++; break;
                case Outcome.Superseded: superseded++; break;
                case Outcome.Unconfirmed: unconfirmed++; break;
            }

            progressed += outcome == Outcome.NotClaimed ? 0 : 1;
        }

        return (new DispatchResult(sent, failed, retrying, deferred, superseded, unconfirmed), progressed);
    }

    private enum Outcome
    {
        NotClaimed,
        Sent,
        Parked,
        Retrying,
        Deferred,
        Superseded,
        Unconfirmed,
    }

    private async Task<Outcome> DeliverOneAsync(IServiceProvider services, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<ComplianceDbContext>();
        var leaseUntil = now + Policy.Lease;
        var claimed = await Claimable(db, now).Where(m => m.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseOwner, Id).SetProperty(m => m.LeaseUntil, leaseUntil), cancellationToken);
        if (claimed == 0)
        {
            return Outcome.NotClaimed;
        }

        var message = await db.Outbox.Include(m => m.Recipient).SingleAsync(m => m.Id == id, cancellationToken);
        if (message.Kind == OutboxKind.Update && await UpdateTargetAsync(db, message, now, cancellationToken) is { } early)
        {
            return early;
        }

        try
        {
            if (message.Kind == OutboxKind.Person && message.SentMessage is { } arrived)
            {
                // The recipient already acted on the message an earlier attempt sent: it arrived, whatever that attempt saw.
                return await RecordRecoveredAsync(services, message, arrived, now, "recipient acted on it", cancellationToken);
            }

            if (message.IsAttemptInFlight && await RecoverAsync(services, message, now, cancellationToken) is { } recovered)
            {
                return recovered;
            }

            var sentTo = await SendAsync(services, message, cancellationToken);
            message.MarkSent(sentTo, now);
            if (message.AuditDelivery)
            {
                services.GetRequiredService<AuditTrail>().Record("system", message.Topic + ".sent", message.Subject, AuditData(message));
            }

            await db.SaveChangesAsync(cancellationToken);
            return Outcome.Sent;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Outbox {Key} ({Topic}) attempt {Attempt} failed", message.Key, message.Topic, message.Attempts + 1);
            db.ChangeTracker.Clear();
            message = await db.Outbox.Include(m => m.Recipient).SingleAsync(m => m.Id == id, cancellationToken);
            metrics.DeliveryFailed(FailedOn(message), message.Kind.ToString());
            var error = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
            if (!message.MarkAttemptFailed(error, now, Policy))
            {
                await db.SaveChangesAsync(cancellationToken);
                return Outcome.Retrying;
            }

            services.GetRequiredService<AuditTrail>().Record("system", message.Topic + ".failed", message.Subject, new(AuditData(message)) { ["error"] = message.LastError });
            Alert(services, message, $"I could not deliver {Describe(message)} after {message.Attempts} attempts. Last error: {message.LastError}. " +
                $"Please follow up by hand; it is listed under GET /api/admin/outbox?status=Parked.", "Delivery failed");
            await db.SaveChangesAsync(cancellationToken);
            await services.GetRequiredService<OutboxWriter>().DeliverAsync(cancellationToken);
            return Outcome.Parked;
        }
    }

    /// <summary>Sends one row; returns where it landed (null for a webhook).</summary>
    private static async Task<MessageRef?> SendAsync(IServiceProvider services, OutboxMessage message, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<ComplianceDbContext>();
        var clock = services.GetRequiredService<TimeProvider>();
        var messenger = services.GetRequiredService<IMessenger>();
        switch (message.Kind)
        {
            case OutboxKind.Person:
                // Committed before each channel is tried: a crash after the send leaves a trace the next host acts on.
                var key = new DeliveryKey(message.Key, async (channel, ct) =>
                {
                    message.BeginAttempt(channel, clock.GetUtcNow());
                    await db.SaveChangesAsync(ct);
                });
                return await messenger.SendAsync(message.Recipient!, message.Replies[0], key, cancellationToken)
                    ?? throw new MessageDeliveryException($"No channel can reach {message.Recipient!.Email}.", null);
            case OutboxKind.SharedChannel:
                message.BeginAttempt(null, clock.GetUtcNow());
                await db.SaveChangesAsync(cancellationToken);
                return await messenger.SendToChannelAsync(message.ChannelName!, message.Replies[0], cancellationToken)
                    ?? throw new MessageDeliveryException($"No channel has {message.ChannelName} configured.", null);
            case OutboxKind.Conversation:
                var target = message.Target!;
                var channelMessenger = services.GetServices<IChannelMessenger>().FirstOrDefault(c => c.Channel == target.Channel)
                    ?? throw new MessageDeliveryException($"{target.Channel} is not configured on this host.", null);
                var replies = message.Replies;
                for (var part = message.PartsSent; part < replies.Count; part++)
                {
                    message.BeginAttempt(target.Channel, clock.GetUtcNow());
                    await db.SaveChangesAsync(cancellationToken);
                    message.MarkPartSent(await channelMessenger.SendToConversationAsync(target, replies[part], message.PartKey(part), cancellationToken));
                    await db.SaveChangesAsync(cancellationToken);
                }

                return message.SentMessage;
            case OutboxKind.Update:
                var original = (await db.Outbox.AsNoTracking().SingleAsync(m => m.Id == message.ReplacesId, cancellationToken)).SentMessage!;
                await messenger.UpdateAsync(original, message.Replies[0], cancellationToken);
                return original;
            default:
                await services.GetRequiredService<IWebhookSender>().SendAsync(message, cancellationToken);
                return null;
        }
    }

    /// <summary>
    /// An update goes out only once the message it replaces exists, and only the newest update of a message goes out
    /// (an older one still waiting would show stale state). Null: go ahead and send.
    /// </summary>
    private async Task<Outcome?> UpdateTargetAsync(ComplianceDbContext db, OutboxMessage update, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var target = await db.Outbox.AsNoTracking().SingleAsync(m => m.Id == update.ReplacesId, cancellationToken);
        var newer = await db.Outbox.AnyAsync(m => m.ReplacesId == update.ReplacesId && m.Id > update.Id && m.Status == OutboxStatus.Pending, cancellationToken);
        if (newer || (target.Status != OutboxStatus.Pending && target.SentMessage is null))
        {
            update.Supersede(newer ? "A newer update of the same message replaces it." : $"The message it updates ({target.Key}) was not delivered ({target.Status}).");
            await db.SaveChangesAsync(cancellationToken);
            return Outcome.Superseded;
        }

        if (target.Status == OutboxStatus.Pending)
        {
            update.Defer(now + Policy.UpdateWait);
            await db.SaveChangesAsync(cancellationToken);
            return Outcome.Deferred;
        }

        return null;
    }

    /// <summary>
    /// A host died between sending and saving: ask the attempt's channel by key. Delivered → record it (no second copy).
    /// Not delivered → null, and the caller sends again with the same key. Cannot tell (Teams keeps no history for bots,
    /// shared-channel posts carry no key) → <see cref="OutboxStatus.Unconfirmed"/>, audited and alerted: a silent resend
    /// would hide that we do not know, a silent "sent" could hide a missing SOC 2 reminder. Chat replies are the
    /// exception: a possibly repeated answer is better than none, so they are sent again.
    /// </summary>
    private async Task<Outcome?> RecoverAsync(IServiceProvider services, OutboxMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<ComplianceDbContext>();
        var key = message.PartKey(message.Kind == OutboxKind.Conversation ? message.PartsSent : 0);
        var lookup = await LookUpAsync(services, message, key, cancellationToken);
        logger.LogWarning("Outbox {Key} was in flight on {Channel} since {Started} when its host stopped: {State}",
            key, message.AttemptChannel?.ToString() ?? "a shared channel", message.AttemptStartedAt, lookup.State);
        switch (lookup.State)
        {
            case DeliveryLookupState.Delivered when message.Kind == OutboxKind.Conversation:
                message.MarkPartSent(lookup.Message!);
                await db.SaveChangesAsync(cancellationToken);
                return null; // the remaining parts, if any, go out now
            case DeliveryLookupState.Delivered:
                return await RecordRecoveredAsync(services, message, lookup.Message!, now, "true", cancellationToken);
            case DeliveryLookupState.NotDelivered:
            case DeliveryLookupState.CannotTell when message.Kind == OutboxKind.Conversation:
                return null;
            default:
                var channel = message.AttemptChannel?.ToString() ?? "a shared channel";
                message.MarkUnconfirmed($"A host stopped while sending on {channel} at {message.AttemptStartedAt:u}; the channel cannot tell whether it arrived.");
                services.GetRequiredService<AuditTrail>().Record("system", message.Topic + ".unconfirmed", message.Subject, AuditData(message));
                Alert(services, message, $"{Describe(message)} was being sent on {channel} when the bot stopped, and that channel cannot tell whether it arrived. " +
                    "I did not resend it, to avoid a duplicate. Please check with the recipient; it is listed under GET /api/admin/outbox?status=Unconfirmed.", "Delivery unconfirmed");
                await db.SaveChangesAsync(cancellationToken);
                await services.GetRequiredService<OutboxWriter>().DeliverAsync(cancellationToken);
                return Outcome.Unconfirmed;
        }
    }

    private static async Task<Outcome> RecordRecoveredAsync(IServiceProvider services, OutboxMessage message, MessageRef arrived, DateTimeOffset now, string how, CancellationToken cancellationToken)
    {
        message.MarkSent(arrived, now);
        services.GetRequiredService<AuditTrail>().Record("system", message.Topic + ".sent", message.Subject, new(AuditData(message)) { ["recovered"] = how });
        await services.GetRequiredService<ComplianceDbContext>().SaveChangesAsync(cancellationToken);
        return Outcome.Sent;
    }

    private static async Task<DeliveryLookup> LookUpAsync(IServiceProvider services, OutboxMessage message, string key, CancellationToken cancellationToken)
    {
        if (message.AttemptChannel is not { } channel)
        {
            return DeliveryLookup.CannotTell;
        }

        if (message.Kind == OutboxKind.Conversation)
        {
            return services.GetServices<IChannelMessenger>().FirstOrDefault(c => c.Channel == channel) is { } found
                ? await found.FindDeliveredInConversationAsync(message.Target!, key, cancellationToken)
                : DeliveryLookup.CannotTell;
        }

        return message.Recipient is { } person
            ? await services.GetRequiredService<IMessenger>().FindDeliveredAsync(person, channel, key, cancellationToken)
            : DeliveryLookup.CannotTell;
    }

    /// <summary>Tells the compliance channel, through the outbox itself; an alert about an alert would loop, so there is none.</summary>
    private static void Alert(IServiceProvider services, OutboxMessage message, string text, string title)
    {
        if (message.Topic == OutboxWriter.AlertTopic)
        {
            return;
        }

        var channel = services.GetRequiredService<ProgramProfileHolder>().Current.ComplianceChannel;
        services.GetRequiredService<OutboxWriter>().ToSharedChannel(channel, new Reply(text) { Title = title }, message.Key + ":alert", OutboxWriter.AlertTopic, message.Subject);
    }

    private static string Describe(OutboxMessage message)
    {
        var what = message.Replies is [var reply, ..] ? $"\"{reply.Title ?? Shorten(reply.Text)}\"" : $"the {message.Topic} call";
        return $"{message.Topic} {what} to {To(message)}";
    }

    /// <summary>The channel the failed attempt was on, as far as the row knows (a webhook has none).</summary>
    private static string FailedOn(OutboxMessage message) =>
        (message.AttemptChannel ?? message.TargetChannel)?.ToString() ?? (message.Kind == OutboxKind.Webhook ? "Webhook" : "none");

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;

    private static string? To(OutboxMessage message) => message.Kind switch
    {
        OutboxKind.Person => message.Recipient?.Email,
        OutboxKind.SharedChannel => message.ChannelName,
        OutboxKind.Webhook => Redacted(message.Url),
        _ => message.Target?.ConversationId ?? message.SentConversationId,
    };

    /// <summary>Only scheme, host and path: a callback URL may carry a token in its query.</summary>
    private static string? Redacted(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : null;

    private static Dictionary<string, string?> AuditData(OutboxMessage message) => new()
    {
        ["key"] = message.Key,
        ["to"] = To(message),
        ["channel"] = (message.SentChannel ?? message.AttemptChannel)?.ToString(),
        ["attempt"] = (message.Attempts == 0 ? 1 : message.Attempts).ToString(CultureInfo.InvariantCulture),
    };
}
