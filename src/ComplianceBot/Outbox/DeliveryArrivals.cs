using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Outbox;

/// <summary>
/// A recipient acted on a message we sent: a Teams card click names the message it came from (replyToId) and carries
/// the delivery key the card was sent with. The Bot Connector takes no idempotency key and cannot be asked what a chat
/// holds, so this is the one proof that a send a dying host left in doubt did arrive; it settles the row (one save).
/// </summary>
public sealed class DeliveryArrivals(
    ComplianceDbContext db, TimeProvider clock, AuditTrail audit, OutboxWriter outbox, ProgramProfileHolder profile, ILogger<DeliveryArrivals> logger)
{
    /// <param name="key">The outbox key the clicked card carried.</param>
    /// <param name="actor">Who clicked: only the row's own recipient, by the channel account they are linked with, proves it reached them.</param>
    /// <param name="message">The message the click came from.</param>
    public async Task<ArrivalOutcome> RecordAsync(string key, ChannelUser actor, MessageRef message, CancellationToken cancellationToken)
    {
        var row = await db.Outbox.Include(m => m.Recipient).SingleOrDefaultAsync(m => m.Key == key, cancellationToken);
        if (row?.Recipient is not { } recipient
            || !await db.ChannelAccounts.AnyAsync(a => a.PersonId == recipient.Id && a.Channel == actor.Channel && a.TenantId == actor.TenantId && a.UserId == actor.UserId, cancellationToken))
        {
            return ArrivalOutcome.Unchanged;
        }

        var outcome = row.RecordArrival(message, clock.GetUtcNow());
        if (outcome == ArrivalOutcome.Unchanged)
        {
            return outcome;
        }

        if (outcome == ArrivalOutcome.Confirmed)
        {
            audit.Record("system", row.Topic + ".sent", row.Subject, new() { ["key"] = row.Key, ["channel"] = message.Channel.ToString(), ["recovered"] = "recipient acted on it" });
            outbox.ToSharedChannel(profile.Current.ComplianceChannel,
                new Reply($"Resolved: the {row.Topic} message {row.Key} that I reported as unconfirmed did arrive; {recipient.Name} has acted on it.") { Title = "Delivery confirmed" },
                row.Key + ":alert:resolved", OutboxWriter.AlertTopic, row.Subject);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Two clicks raced to confirm the same row: the other one recorded it.
            db.ChangeTracker.Clear();
            return ArrivalOutcome.Unchanged;
        }

        logger.LogInformation("Outbox {Key}, in doubt after a host stopped mid-send, arrived: {Email} acted on it ({Outcome})", row.Key, recipient.Email, outcome);
        await outbox.DeliverAsync(cancellationToken);
        return outcome;
    }
}
