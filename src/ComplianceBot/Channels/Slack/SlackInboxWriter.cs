using System.Data.Common;
using System.Threading.Channels;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.Operations;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Channels.Slack;

/// <summary>An event to store: the outer event_callback fields we key on plus the raw JSON.</summary>
public sealed record InboxWrite(string TeamId, string EventId, string EventType, string Payload);

/// <summary>
/// Group commit for the acknowledgement path: requests enqueue their event and await it; one writer drains the queue
/// and commits everything waiting in a single transaction, then completes each request. A request is acknowledged
/// only after its row is durably committed, yet the database sees one commit (one fsync) per batch instead of per event.
/// </summary>
/// <remarks>
/// Raw ADO.NET prepared statements instead of EF SaveChanges on purpose: this is the one hot path (thousands of events
/// per second); EF's change tracking and per-SaveChanges transaction cost more than the insert itself, and
/// INSERT … ON CONFLICT DO NOTHING turns a duplicate into "0 rows" instead of an exception. Everything else uses EF.
/// </remarks>
public sealed class SlackInboxWriter(IServiceScopeFactory scopes, TimeProvider clock, Wakeup<SlackInboxProcessor> signal, ComplianceMetrics metrics, ILogger<SlackInboxWriter> logger)
    : BackgroundService
{
    private const int MaxBatch = 2048;

    // Bounded so a stalled database pushes back on Slack (requests wait, then Slack retries) instead of exhausting memory.
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(20_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Stores the event durably; true when it is new, false when (team, event id) was already stored.</summary>
    public async Task<bool> WriteAsync(InboxWrite write, CancellationToken cancellationToken)
    {
        var pending = new Pending(write, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        var isNew = await pending.Done.Task.WaitAsync(cancellationToken);
        metrics.SlackEventAcknowledged(duplicate: !isNew);
        return isNew;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        var sqlite = db.Database.IsSqlite();
        var postgres = db.Database.IsNpgsql();
        var connection = db.Database.GetDbConnection();
        var batch = new List<Pending>(MaxBatch);
        DbCommand? insert = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                try
                {
                    if (connection.State != System.Data.ConnectionState.Open)
                    {
                        await connection.OpenAsync(stoppingToken);
                        await UseBusyTimeoutAsync(db, stoppingToken);
                        insert?.Dispose();
                        insert = CreateInsert(connection, sqlite, postgres);
                    }

                    var results = Commit(connection, insert!, batch, sqlite);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.TrySetResult(results[i]);
                    }

                    signal.Notify();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Nothing was acknowledged: each request answers 5xx and Slack retries it.
                    logger.LogError(ex, "Storing {Count} Slack event(s) failed", batch.Count);
                    foreach (var pending in batch)
                    {
                        pending.Done.TrySetException(ex);
                    }

                    await connection.CloseAsync();
                }
            }
        }
        finally
        {
            insert?.Dispose();
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
            {
                left.Done.TrySetCanceled(stoppingToken);
            }
        }
    }

    /// <summary>
    /// SQLite: let the engine wait for the write lock in small steps (busy_timeout) instead of Microsoft.Data.Sqlite's
    /// 150 ms retry sleep, which otherwise shows up as 150 ms ack spikes whenever the processor holds the lock.
    /// </summary>
    public static async Task UseBusyTimeoutAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA busy_timeout = 10000;", cancellationToken);
        }
    }

    private bool[] Commit(DbConnection connection, DbCommand insert, List<Pending> batch, bool sqlite)
    {
        var results = new bool[batch.Count];
        var receivedAt = clock.GetUtcNow();
        using var transaction = connection.BeginTransaction();
        insert.Transaction = transaction;
        var p = insert.Parameters;
        // In (team, event id) order: two hosts storing the same retried events at once then wait for each other's rows in
        // the same order. In arrival order each could hold a row the other needs (PostgreSQL: 40P01 deadlock, every
        // request of both batches a 500). Sorted in place, so results[i] stays the answer for batch[i].
        batch.Sort(static (a, b) => string.CompareOrdinal(a.Write.TeamId, b.Write.TeamId) is var team and not 0 ? team : string.CompareOrdinal(a.Write.EventId, b.Write.EventId));
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch[i].Write;
            p[0].Value = write.TeamId;
            p[1].Value = write.EventId;
            p[2].Value = write.EventType;
            p[3].Value = write.Payload;
            p[4].Value = sqlite ? receivedAt.UtcTicks : receivedAt;
            p[5].Value = sqlite ? 0L : DateTimeOffset.MinValue;
            results[i] = insert.ExecuteNonQuery() == 1;
        }

        transaction.Commit();
        insert.Transaction = null;
        return results;
    }

    private static DbCommand CreateInsert(DbConnection connection, bool sqlite, bool postgres)
    {
        var command = connection.CreateCommand();
        const string columns = "(TeamId, EventId, EventType, Payload, ReceivedAt, Attempts, LeaseUntil)";
        // PostgreSQL folds unquoted names to lower case; EF created these tables with quoted mixed-case names.
        const string quotedColumns = "(\"TeamId\", \"EventId\", \"EventType\", \"Payload\", \"ReceivedAt\", \"Attempts\", \"LeaseUntil\")";
        command.CommandText = sqlite
            ? $"INSERT INTO {SlackInboxEvent.TableName} {columns} VALUES (@t, @e, @y, @p, @r, 0, @l) ON CONFLICT (TeamId, EventId) DO NOTHING"
            : postgres
            ? $"INSERT INTO \"{SlackInboxEvent.TableName}\" {quotedColumns} VALUES (@t, @e, @y, @p, @r, 0, @l) ON CONFLICT (\"TeamId\", \"EventId\") DO NOTHING"
            : $"INSERT INTO {SlackInboxEvent.TableName} {columns} SELECT @t, @e, @y, @p, @r, 0, @l " +
              $"WHERE NOT EXISTS (SELECT 1 FROM {SlackInboxEvent.TableName} WITH (UPDLOCK, HOLDLOCK) WHERE TeamId = @t AND EventId = @e)";
        foreach (var name in new[] { "@t", "@e", "@y", "@p", "@r", "@l" })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private sealed record Pending(InboxWrite Write, TaskCompletionSource<bool> Done);
}
