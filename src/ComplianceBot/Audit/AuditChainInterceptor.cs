using System.Runtime.CompilerServices;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace ComplianceBot.Audit;

/// <summary>
/// Stamps sequence, previous hash and hash on audit events just before they are saved, so no flow can forget
/// or forge a link. Appends within this process are serialised by a gate, across hosts on a server database by a
/// database lock held from reading the chain's head until the save committed (on SQLite, by its write lock taken before
/// the head is read); the unique sequence index is the backstop.
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
                // SQLite's lock is its single writer, and the head must be read under it: another process on the same
                // file (an admin command, a second host) could otherwise stamp the same sequence. It is taken before the
                // gate, as a caller's own transaction (BEGIN IMMEDIATE, Microsoft.Data.Sqlite's default) already holds
                // it when it saves: the other order lets two contexts wait on each other until the busy timeout.
                IDbContextTransaction? ownTransaction = context.Database.IsSqlite() && context.Database.CurrentTransaction is null
                    ? await context.Database.BeginTransactionAsync(cancellationToken)
                    : null;
                bool sessionLock;
                try
                {
                    await _gate.WaitAsync(cancellationToken);
                }
                catch
                {
                    await DisposeAsync(ownTransaction);
                    throw;
                }

                try
                {
                    sessionLock = await DatabaseLock.AcquireAsync(context, LockName, cancellationToken);
                }
                catch
                {
                    _gate.Release();
                    await DisposeAsync(ownTransaction);
                    throw;
                }

                _holders.AddOrUpdate(context, new Holder(sessionLock, ownTransaction));
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
        await ReleaseAsync(eventData.Context, committed: true);
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

    private static async Task DisposeAsync(IDbContextTransaction? transaction)
    {
        if (transaction is not null)
        {
            await transaction.DisposeAsync();
        }
    }

    private async Task ReleaseAsync(DbContext? context, bool committed = false)
    {
        if (context is null || !_holders.TryGetValue(context, out var holder) || !_holders.Remove(context))
        {
            return;
        }

        try
        {
            if (holder.OwnTransaction is { } transaction)
            {
                await using (transaction)
                {
                    await (committed ? transaction.CommitAsync() : transaction.RollbackAsync());
                }
            }

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

    private sealed record Holder(bool SessionLock, IDbContextTransaction? OwnTransaction);
}
