using ComplianceBot.Data;
using ComplianceBot.Operations;

namespace ComplianceBot.Outbox;

/// <summary>The outbox's depth and the age of its oldest pending row, for the outbox metrics.</summary>
public sealed class OutboxProbe(ComplianceDbContext db, TimeProvider clock) : IOutboxProbe
{
    public async Task<OutboxSnapshot> MeasureAsync(CancellationToken cancellationToken)
    {
        var (pending, oldestAge) = await OutboxDispatcher.DepthAsync(db, clock.GetUtcNow(), cancellationToken);
        return new OutboxSnapshot(pending, oldestAge);
    }
}
