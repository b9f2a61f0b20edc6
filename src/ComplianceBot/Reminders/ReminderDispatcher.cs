using System.Globalization;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using ComplianceBot.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Reminders;

public sealed record DispatchResult(int Sent, int Failed, int Retrying, int Deferred, int Cancelled, int Unconfirmed = 0);

/// <summary>
/// Sends the reminders that are due. Each one is claimed first with a conditional update (pending, not leased by
/// anyone else) so any number of hosts on one database send it once; the lease runs out if a host dies mid-send.
/// Each send carries the reminder's idempotency key and is recorded as in flight (committed) before it starts, so the
/// host that picks up an expired lease asks the channel what happened instead of sending a second copy.
/// </summary>
public sealed class ReminderDispatcher(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ReminderOptions> options, ComplianceMetrics metrics, ILogger<ReminderDispatcher> logger)
{
    /// <summary>This dispatcher's name in <see cref="Reminder.LeaseOwner"/>.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public async Task<DispatchResult> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var (sent, failed, retrying, deferred, cancelled, unconfirmed) = (0, 0, 0, 0, 0, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            List<long> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
                due = await db.Reminders.AsNoTracking()
                    .Where(r => r.Status == ReminderStatus.Pending && r.DueAt <= now && (r.LeaseUntil == null || r.LeaseUntil < now))
                    .OrderBy(r => r.DueAt).ThenByDescending(r => r.Id).Select(r => r.Id).Take(options.Value.BatchSize).ToListAsync(cancellationToken);
            }

            var progressed = 0;
            foreach (var id in due)
            {
                await using var scope = scopes.CreateAsyncScope();
                var outcome = await SendOneAsync(scope.ServiceProvider, id, now, cancellationToken);
                switch (outcome)
                {
                    case Outcome.Sent: sent++; break;
                    case Outcome.Failed: failed++; break;
                    case Outcome.Retrying: retrying++; break;
                    case Outcome.Deferred: deferred++; break;
                    case Outcome.Cancelled: cancelled++; break;
                    case Outcome.Unconfirmed: unconfirmed++; break;
                }

                progressed += outcome == Outcome.NotClaimed ? 0 : 1;
            }

            // Stop when nothing is left, or when everything left is someone else's (claimed by another host).
            if (due.Count < options.Value.BatchSize || progressed == 0)
            {
                break;
            }
        }

        return new DispatchResult(sent, failed, retrying, deferred, cancelled, unconfirmed);
    }

    private enum Outcome
    {
        NotClaimed,
        Sent,
        Failed,
        Retrying,
        Deferred,
        Cancelled,
        Unconfirmed,
    }

    private async Task<Outcome> SendOneAsync(IServiceProvider services, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<ComplianceDbContext>();
        var leaseUntil = now + options.Value.Lease;
        var claimed = await db.Reminders
            .Where(r => r.Id == id && r.Status == ReminderStatus.Pending && r.DueAt <= now && (r.LeaseUntil == null || r.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, Id).SetProperty(r => r.LeaseUntil, leaseUntil), cancellationToken);
        if (claimed == 0)
        {
            return Outcome.NotClaimed;
        }

        var reminder = await db.Reminders.SingleAsync(r => r.Id == id, cancellationToken);
        var audit = services.GetRequiredService<AuditTrail>();
        if (reminder.IsAttemptInFlight && await RecoverAsync(services, reminder, now, cancellationToken) is { } recovered)
        {
            return recovered;
        }

        var subject = services.GetServices<IReminderSubject>().FirstOrDefault(s => s.Handles(reminder.Subject));
        var message = subject is null ? null : await subject.ComposeAsync(reminder, cancellationToken);
        if (message is null)
        {
            reminder.Cancel();
            await db.SaveChangesAsync(cancellationToken);
            return Outcome.Cancelled;
        }

        if (message.Recipient is { } person)
        {
            var window = services.GetRequiredService<ReminderLadder>().Calendar.NextDeliveryTime(person, now);
            if (window > now)
            {
                reminder.Defer(window);
                await db.SaveChangesAsync(cancellationToken);
                return Outcome.Deferred;
            }
        }

        var messenger = services.GetRequiredService<IMessenger>();
        try
        {
            // Committed before each channel is tried: a crash after the send leaves a trace the next host acts on.
            var key = new DeliveryKey(reminder.DeliveryKey, async (channel, ct) =>
            {
                reminder.BeginAttempt(channel, clock.GetUtcNow());
                await db.SaveChangesAsync(ct);
            });
            var sentTo = message.Recipient is { } recipient
                ? await messenger.SendAsync(recipient, message.Reply, key, cancellationToken)
                : await messenger.SendToChannelAsync(message.ChannelName!, message.Reply, cancellationToken);
            if (sentTo is null)
            {
                throw new MessageDeliveryException(message.Recipient is null ? $"No channel has {message.ChannelName} configured." : $"No channel can reach {message.Recipient.Email}.", null);
            }

            reminder.MarkSent(sentTo, now);
            metrics.ReminderSent(now - reminder.DueAt);
            audit.Record("system", "reminder.sent", reminder.Subject, new()
            {
                ["step"] = reminder.Step,
                ["audience"] = reminder.Audience.ToString(),
                ["to"] = message.Recipient?.Email ?? message.ChannelName,
                ["channel"] = sentTo.Channel.ToString(),
                ["attempt"] = reminder.Attempts.ToString(CultureInfo.InvariantCulture),
            });
            await db.SaveChangesAsync(cancellationToken);
            if (reminder.Audience == ReminderAudience.Owner)
            {
                // Earlier rungs that piled up (snoozed onto the same moment) are covered by this one.
                await db.Reminders.Where(r => r.Subject == reminder.Subject && r.Audience == ReminderAudience.Owner && r.Status == ReminderStatus.Pending && r.DueAt <= now && r.LeaseOwner == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReminderStatus.Skipped), cancellationToken);
            }

            return Outcome.Sent;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Reminder {Subject}/{Step} attempt {Attempt} failed", reminder.Subject, reminder.Step, reminder.Attempts + 1);
            metrics.DeliveryFailed(reminder.AttemptChannel?.ToString() ?? "none", "reminder");
            db.ChangeTracker.Clear();
            reminder = await db.Reminders.SingleAsync(r => r.Id == id, cancellationToken);
            var error = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
            var final = reminder.MarkAttemptFailed(error, now, options.Value.MaxAttempts, options.Value.RetryDelay);
            if (final)
            {
                audit.Record("system", "reminder.failed", reminder.Subject, new()
                {
                    ["step"] = reminder.Step,
                    ["audience"] = reminder.Audience.ToString(),
                    ["attempts"] = reminder.Attempts.ToString(CultureInfo.InvariantCulture),
                    ["error"] = reminder.LastError,
                });
            }

            await db.SaveChangesAsync(cancellationToken);
            if (final)
            {
                await AlertAsync(services, reminder, message, cancellationToken);
            }

            return final ? Outcome.Failed : Outcome.Retrying;
        }
    }

    /// <summary>
    /// A host died between sending and saving: ask the attempt's channel by key. Delivered → record it as sent (no second
    /// copy). Not delivered → null, and the caller sends again with the same key. Cannot tell (Teams has no history for
    /// bots) → <see cref="ReminderStatus.Unconfirmed"/> and an alert. Why not resend blindly: a duplicate SOC 2 reminder
    /// is noise, but a silent resend hides that we do not know, and a silent "sent" could hide a missed reminder, which
    /// is a missing audit sample. Neither is acceptable, so we make the doubt visible and let a person decide; later
    /// rungs of the ladder still go out as planned.
    /// </summary>
    private async Task<Outcome?> RecoverAsync(IServiceProvider services, Reminder reminder, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<ComplianceDbContext>();
        var audit = services.GetRequiredService<AuditTrail>();
        var person = reminder.RecipientId is { } personId ? await db.People.SingleAsync(p => p.Id == personId, cancellationToken) : null;
        var lookup = person is not null && reminder.AttemptChannel is { } channel
            ? await services.GetRequiredService<IMessenger>().FindDeliveredAsync(person, channel, reminder.DeliveryKey, cancellationToken)
            : DeliveryLookup.CannotTell; // shared-channel posts carry no key today
        logger.LogWarning("Reminder {Subject}/{Step} was in flight on {Channel} since {Started} when its host stopped: {State}",
            reminder.Subject, reminder.Step, reminder.AttemptChannel, reminder.AttemptStartedAt, lookup.State);
        var data = new Dictionary<string, string?>
        {
            ["step"] = reminder.Step,
            ["audience"] = reminder.Audience.ToString(),
            ["to"] = person?.Email,
            ["channel"] = reminder.AttemptChannel?.ToString(),
            ["key"] = reminder.DeliveryKey,
        };
        switch (lookup.State)
        {
            case DeliveryLookupState.Delivered:
                reminder.MarkSent(lookup.Message!, now);
                audit.Record("system", "reminder.sent", reminder.Subject, new(data) { ["attempt"] = reminder.Attempts.ToString(CultureInfo.InvariantCulture), ["recovered"] = "true" });
                await db.SaveChangesAsync(cancellationToken);
                return Outcome.Sent;
            case DeliveryLookupState.NotDelivered:
                return null;
            default:
                reminder.MarkUnconfirmed($"A host stopped while sending on {reminder.AttemptChannel?.ToString() ?? "a shared channel"} at {reminder.AttemptStartedAt:u}; the channel cannot tell whether it arrived.");
                audit.Record("system", "reminder.unconfirmed", reminder.Subject, data);
                await db.SaveChangesAsync(cancellationToken);
                await AlertAsync(services, reminder, new Reply(
                    $"A reminder ({reminder.Subject}, step {reminder.Step}) to {person?.Email ?? "a shared channel"} was being sent on {reminder.AttemptChannel?.ToString() ?? "a shared channel"} " +
                    "when the bot stopped, and that channel cannot tell whether it arrived. I did not resend it, to avoid a duplicate. " +
                    "Please check with the recipient; it is listed under GET /api/admin/reminders?status=Unconfirmed.")
                { Title = "Reminder delivery unconfirmed" }, cancellationToken);
                return Outcome.Unconfirmed;
        }
    }

    private Task AlertAsync(IServiceProvider services, Reminder reminder, ReminderMessage message, CancellationToken cancellationToken) =>
        AlertAsync(services, reminder, new Reply(
            $"I could not deliver a reminder after {reminder.Attempts} attempts: \"{message.Reply.Title}\" to {message.Recipient?.Email ?? message.ChannelName}. " +
            $"Last error: {reminder.LastError}. Please follow up by hand.")
        { Title = "Reminder delivery failed" }, cancellationToken);

    private async Task AlertAsync(IServiceProvider services, Reminder reminder, Reply alert, CancellationToken cancellationToken)
    {
        var channel = services.GetRequiredService<ProgramProfileHolder>().Current.ComplianceChannel;
        try
        {
            await services.GetRequiredService<IMessenger>().SendToChannelAsync(channel, alert, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The failed state and its audit event are recorded; the alert is best effort on top.
            logger.LogError(ex, "Could not alert {Channel} about reminder {Subject}/{Step}", channel, reminder.Subject, reminder.Step);
        }
    }
}
