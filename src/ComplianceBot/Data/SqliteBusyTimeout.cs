using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComplianceBot.Data;

/// <summary>
/// Lets SQLite itself wait for the write lock (PRAGMA busy_timeout) instead of failing fast with SQLITE_BUSY.
/// Why: on SQLITE_BUSY, Microsoft.Data.Sqlite retries after blocking its thread for 150 ms, so concurrent turns that each save
/// (every chat turn does) queue in 150 ms steps and block thread-pool threads; SQLite's own handler retries in
/// 1–100 ms steps. Measured with bench/TeamsLoad at 32 connections (see README).
/// </summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA busy_timeout = 30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
