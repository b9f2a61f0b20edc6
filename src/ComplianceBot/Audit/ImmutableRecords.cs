using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComplianceBot.Audit;

/// <summary>Marks an entity whose rows are written once and never updated or deleted (attestations, evidence).</summary>
public interface IImmutableRecord;

/// <summary>Refuses any save that updates or deletes an <see cref="IImmutableRecord"/>: a correction is a new row.</summary>
public sealed class ImmutableRecordsInterceptor : SaveChangesInterceptor
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.ChangeTracker.Entries().FirstOrDefault(e => e.Entity is IImmutableRecord && e.State is EntityState.Modified or EntityState.Deleted) is { } changed)
        {
            throw new InvalidOperationException($"{changed.Entity.GetType().Name} records are immutable; record a new one that supersedes it instead.");
        }

        return ValueTask.FromResult(result);
    }
}
