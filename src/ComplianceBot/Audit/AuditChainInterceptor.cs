using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComplianceBot.Audit;

/// <summary>
/// Stamps sequence, previous hash and hash on audit events just before they are saved, so no flow can forget
/// or forge a link. Appends within this process are serialised; across hosts the unique sequence index makes
/// a concurrent append fail rather than fork the chain.
/// </summary>
public sealed class AuditChainInterceptor : SaveChangesInterceptor, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConditionalWeakTable<DbContext, object> _holders = [];

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            var pending = context.ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
            if (pending.Count > 0)
            {
                await _gate.WaitAsync(cancellationToken);
                _holders.AddOrUpdate(context, this);
                try
                {
                    await StampAsync(context, pending, cancellationToken);
                }
                catch (Exception)
                {
                    // EF calls this before the try that reports SaveChangesFailed/Canceled, so a head query that is cancelled
                    // or fails (client gone, SQLITE_BUSY, a transient SQL error) must give the gate back here.
                    Release(context);
                    throw;
                }
            }
        }

        return result;
    }

    private static async Task StampAsync(DbContext context, List<AuditEvent> pending, CancellationToken cancellationToken)
    {
        var last = await context.Set<AuditEvent>().AsNoTracking()
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash })
            .FirstOrDefaultAsync(cancellationToken);
        var sequence = last?.Sequence ?? 0;
        var previousHash = last?.Hash ?? "";
        foreach (var e in pending.OrderBy(e => e.Timestamp))
        {
            e.Sequence = ++sequence;
            e.PreviousHash = previousHash;
            e.Hash = e.ComputeHash();
            previousHash = e.Hash;
        }
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        throw new InvalidOperationException("Save with SaveChangesAsync: the audit chain is stamped asynchronously.");

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    // A concurrency conflict is reported here, not through SaveChangesFailed, so the gate must be released here too
    // (Release is idempotent); otherwise the next append in this process waits forever.
    public override ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    public void Dispose() => _gate.Dispose();

    private void Release(DbContext? context)
    {
        if (context is not null && _holders.Remove(context))
        {
            _gate.Release();
        }
    }
}
