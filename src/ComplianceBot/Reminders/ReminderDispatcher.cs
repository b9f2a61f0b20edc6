using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Reminders;

/// <summary>
/// Hands the reminders that are due to the outbox, then runs the outbox's dispatcher. A due reminder is composed by its
/// <see cref="IReminderSubject"/> (or cancelled when no longer needed), deferred to the recipient's working hours, or
/// written as an outbox row in the same save that marks it sent: the row's unique key (<see cref="Reminder.DeliveryKey"/>)
/// lets only one host do that, however many look at once.
/// </summary>
public sealed class ReminderDispatcher(IServiceScopeFactory scopes, OutboxDispatcher outbox, TimeProvider clock, IOptions<ReminderOptions> options, ComplianceMetrics metrics, ILogger<ReminderDispatcher> logger)
{
    public async Task<DispatchResult> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var (deferred, cancelled) = (0, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            List<long> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                due = await scope.ServiceProvider.GetRequiredService<ComplianceDbContext>().Reminders.AsNoTracking()
                    .Where(r => r.Status == ReminderStatus.Pending && r.DueAt <= now)
                    .OrderBy(r => r.DueAt).ThenByDescending(r => r.Id).Select(r => r.Id).Take(options.Value.BatchSize).ToListAsync(cancellationToken);
            }

            var progressed = 0;
            foreach (var id in due)
            {
                await using var scope = scopes.CreateAsyncScope();
                switch (await QueueAsync(scope.ServiceProvider, id, now, cancellationToken))
                {
                    case Outcome.Deferred: deferred++; break;
                    case Outcome.Cancelled: cancelled++; break;
                    case Outcome.NotMine: continue;
                }

                progressed++;
            }

            if (due.Count < options.Value.BatchSize || progressed == 0)
            {
                break;
            }
        }

        return await outbox.DispatchDueAsync(cancellationToken) + new DispatchResult(0, 0, 0, deferred, cancelled);
    }

    private enum Outcome
    {
        NotMine,
        Queued,
        Deferred,
        Cancelled,
    }

    private async Task<Outcome> QueueAsync(IServiceProvider services, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<ComplianceDbContext>();
        var reminder = await db.Reminders.SingleAsync(r => r.Id == id, cancellationToken);
        if (reminder.Status != ReminderStatus.Pending || reminder.DueAt > now)
        {
            return Outcome.NotMine;
        }

        var subject = services.GetServices<IReminderSubject>().FirstOrDefault(s => s.Handles(reminder.Subject));
        var message = subject is null ? null : await subject.ComposeAsync(reminder, cancellationToken);
        if (message is null)
        {
            reminder.Cancel();
            return await SaveAsync(db, Outcome.Cancelled, cancellationToken);
        }

        if (message.Recipient is { } person)
        {
            var window = services.GetRequiredService<ReminderLadder>().Calendar.NextDeliveryTime(person, now);
            if (window > now)
            {
                reminder.Defer(window);
                return await SaveAsync(db, Outcome.Deferred, cancellationToken);
            }
        }

        var writer = services.GetRequiredService<OutboxWriter>();
        _ = message.Recipient is { } recipient
            // Live: a reminder about a change carries its buttons, so the decision updates it like the original card.
            ? writer.ToPerson(recipient, message.Reply, reminder.DeliveryKey, Reminder.OutboxTopic, reminder.Subject, live: true, audit: true)
            : writer.ToSharedChannel(message.ChannelName!, message.Reply, reminder.DeliveryKey, Reminder.OutboxTopic, reminder.Subject, audit: true);
        reminder.MarkSent(now);
        metrics.ReminderSent(now - reminder.DueAt);
        if (reminder.Audience == ReminderAudience.Owner)
        {
            // Earlier rungs that piled up (snoozed onto the same moment) are covered by this one.
            var covered = await db.Reminders.Where(r => r.Subject == reminder.Subject && r.Audience == ReminderAudience.Owner && r.Status == ReminderStatus.Pending && r.DueAt <= now && r.Id != reminder.Id)
                .ToListAsync(cancellationToken);
            covered.ForEach(r => r.Skip());
        }

        return await SaveAsync(db, Outcome.Queued, cancellationToken);
    }

    private async Task<Outcome> SaveAsync(ComplianceDbContext db, Outcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return outcome;
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.IsUniqueViolation())
        {
            // Another host queued (or closed) this reminder between our read and our write.
            logger.LogDebug(ex, "A reminder was handled by another host");
            return Outcome.NotMine;
        }
    }
}
