using System.Runtime.CompilerServices;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComplianceBot.Audit;

/// <summary>
/// Stamps sequence, previous hash and hash on audit events just before they are saved, so no flow can forget
/// or forge a link. Appends within this process are serialised by a gate, across hosts on a server database by a
/// database lock held from reading the chain's head until the save committed; the unique sequence index is the backstop.
/// </summary>
public sealed class AuditChainInterceptor : SaveChangesInterceptor, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private const string LockName = "compliancebot:audit-chain";

    private readonly ConditionalWeakTable<DbContext, Holder> _holders = [];

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            var pending = context.ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
            if (pending.Count > 0)
            {
                await _gate.WaitAsync(cancellationToken);
                bool sessionLock;
                try
                {
                    sessionLock = await DatabaseLock.AcquireAsync(context, LockName, cancellationToken);
                }
                catch
                {
                    _gate.Release();
                    throw;
                }

                _holders.AddOrUpdate(context, new Holder(sessionLock));
                try
                {
                    await StampAsync(context, pending, cancellationToken);
                }
                catch (Exception)
                {
                    // EF calls this before the try that reports SaveChangesFailed/Canceled, so a head query that is cancelled
                    // or fails (client gone, SQLITE_BUSY, a transient SQL error) must give the gate back here.
                    await ReleaseAsync(context);
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

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await ReleaseAsync(eventData.Context);
        return result;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        ReleaseAsync(eventData.Context);

    // A concurrency conflict is reported here, not through SaveChangesFailed, so the gate must be released here too
    // (Release is idempotent); otherwise the next append in this process waits forever.
    public override async ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        await ReleaseAsync(eventData.Context);
        return result;
    }

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) =>
        ReleaseAsync(eventData.Context);

    public void Dispose() => _gate.Dispose();

    private async Task ReleaseAsync(DbContext? context)
    {
        if (context is null || !_holders.TryGetValue(context, out var holder) || !_holders.Remove(context))
        {
            return;
        }

        try
        {
            if (holder.SessionLock)
            {
                await DatabaseLock.ReleaseAsync(context, LockName);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed record Holder(bool SessionLock);
}
