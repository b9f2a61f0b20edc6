using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;

namespace ComplianceBot.Data;

/// <summary>
/// Lets SQLite itself wait for the write lock (PRAGMA busy_timeout) instead of failing fast with SQLITE_BUSY.
/// Why: on SQLITE_BUSY, Microsoft.Data.Sqlite retries after blocking its thread for 150 ms, so concurrent turns that each save
/// (every chat turn does) queue in 150 ms steps and block thread-pool threads; SQLite's own handler retries in
/// 1–100 ms steps. Measured with bench/TeamsLoad at 32 connections (see README).
/// </summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    private const int TimeoutMilliseconds = 30_000;

    // The native call rather than "PRAGMA busy_timeout": this runs on every open from the pool, and a statement costs a
    // parse and a round through the driver each time.
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        var result = raw.sqlite3_busy_timeout(((SqliteConnection)connection).Handle, TimeoutMilliseconds);
        SqliteException.ThrowExceptionForRC(result, ((SqliteConnection)connection).Handle);
    }
}
