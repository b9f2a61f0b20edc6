using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComplianceBot.Outbox;

/// <summary>Wakes this host's dispatcher after any save that wrote outbox rows, so delivery does not wait for the next poll.</summary>
public sealed class OutboxWakeupInterceptor(Wakeup<OutboxWorker> wakeup) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Remember(eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Remember(eventData);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Wake(eventData);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Wake(eventData);
        return ValueTask.FromResult(result);
    }

    // Saving sees what is added; Saved (after the commit) no longer does. Keyed by context, which one save at a time uses.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _adding = [];

    private void Remember(DbContextEventData eventData)
    {
        if (eventData.Context is { } context && context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
        {
            _adding.AddOrUpdate(context, context);
        }
    }

    private void Wake(DbContextEventData eventData)
    {
        if (eventData.Context is { } context && _adding.Remove(context))
        {
            wakeup.Notify();
        }
    }
}
