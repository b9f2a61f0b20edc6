using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Data;

/// <summary>
/// A named lock across hosts (PostgreSQL advisory lock, SQL Server application lock) for the few writes that must be
/// serialised database-wide rather than claimed row by row. Inside a caller's transaction it is held until that
/// transaction ends; otherwise by the session until <see cref="ReleaseAsync"/>, so it spans the transaction EF opens
/// inside SaveChanges. SQLite has no named locks: its single writer lock, taken by BEGIN IMMEDIATE, serialises such
/// writes (see AuditChainInterceptor).
/// </summary>
public static class DatabaseLock
{
    /// <summary>Waits for the lock; true when <see cref="ReleaseAsync"/> must be called (a session lock was taken).</summary>
    public static async Task<bool> AcquireAsync(DbContext db, string name, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            return false;
        }

        var inTransaction = db.Database.CurrentTransaction is not null;
        var postgres = db.Database.IsNpgsql();
        if (inTransaction)
        {
            await (postgres
                ? db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({name}, 0))", cancellationToken)
                : db.Database.ExecuteSqlAsync($"EXEC sp_getapplock @Resource = {name}, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1", cancellationToken));
            return false;
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await (postgres
                ? db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock(hashtextextended({name}, 0))", cancellationToken)
                : db.Database.ExecuteSqlAsync($"EXEC sp_getapplock @Resource = {name}, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = -1", cancellationToken));
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }

        return true;
    }

    /// <summary>Releases a session lock <see cref="AcquireAsync"/> took and lets EF close the connection again.</summary>
    public static async Task ReleaseAsync(DbContext db, string name)
    {
        try
        {
            await (db.Database.IsNpgsql()
                ? db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock(hashtextextended({name}, 0))")
                : db.Database.ExecuteSqlAsync($"EXEC sp_releaseapplock @Resource = {name}, @LockOwner = 'Session'"));
        }
        catch (DbException)
        {
            // The connection broke: its session (and with it the lock) ends when the pool discards it.
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
