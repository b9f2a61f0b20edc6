using ComplianceBot.Data;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Operations;

/// <summary>The reminder queue as the outbox: pending reminders whose moment has come.</summary>
public sealed class ReminderQueueProbe(ComplianceDbContext db, TimeProvider clock) : IOutboxProbe
{
    public async Task<OutboxSnapshot> MeasureAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = db.Reminders.AsNoTracking().Where(r => r.Status == ReminderStatus.Pending && r.DueAt <= now);
        var depth = await due.LongCountAsync(cancellationToken);
        var oldest = depth == 0 ? (DateTimeOffset?)null : await due.OrderBy(r => r.DueAt).Select(r => (DateTimeOffset?)r.DueAt).FirstOrDefaultAsync(cancellationToken);
        return new OutboxSnapshot(depth, oldest is { } at ? now - at : TimeSpan.Zero);
    }
}
