using System.Data.Common;
using ComplianceBot.Attestations;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Audit;

public sealed class AuditChainInterceptorTests(BotApplication app) : IClassFixture<BotApplication>
{
    [Fact]
    public async Task EventsAreNumberedWithoutGapsAndEachHashCoversThePreviousOne()
    {
        _ = app.CreateClient();
        await using (var scope = app.Scope())
        {
            var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
            audit.Record("test", "test.first", "subject:1", new() { ["b"] = "2", ["a"] = "1" });
            audit.Record("test", "test.second", "subject:1");
            await BotApplication.Db(scope).SaveChangesAsync();
        }

        await using var check = app.Scope();
        var events = await BotApplication.Db(check).AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        for (var i = 1; i < events.Count; i++)
        {
            Assert.Equal(events[i - 1].Hash, events[i].PreviousHash);
            Assert.Equal(events[i].ComputeHash(), events[i].Hash);
        }

        Assert.Equal("{\"a\":\"1\",\"b\":\"2\"}", events.Single(e => e.Action == "test.first").Data);
        Assert.True((await check.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None)).Ok);
    }

    [Fact]
    public async Task ConcurrentAppendsInOneHostNeverForkTheChain()
    {
        _ = app.CreateClient();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            await using var scope = app.Scope();
            scope.ServiceProvider.GetRequiredService<AuditTrail>().Record("test", "test.parallel", $"subject:{i}");
            await BotApplication.Db(scope).SaveChangesAsync();
        }));

        await using var check = app.Scope();
        var verification = await check.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None);
        Assert.True(verification.Ok);
        Assert.Equal(20, await BotApplication.Db(check).AuditEvents.CountAsync(e => e.Action == "test.parallel"));
    }

    [Fact]
    public async Task AnAppendWaitingForAFlowsTransactionDoesNotHoldUpThatTransactionsOwnAppend()
    {
        _ = app.CreateClient();
        await using var flow = app.Scope();
        var flowDb = BotApplication.Db(flow);
        // A flow's own transaction holds SQLite's write lock (BEGIN IMMEDIATE) and will append to the chain in it.
        await using var transaction = await flowDb.Database.BeginTransactionAsync();
        flow.ServiceProvider.GetRequiredService<AuditTrail>().Record("test", "test.in-transaction", "subject:flow");

        // Meanwhile another request appends without a transaction: it has to wait for that lock.
        var other = Task.Run(async () =>
        {
            await using var scope = app.Scope();
            scope.ServiceProvider.GetRequiredService<AuditTrail>().Record("test", "test.beside-transaction", "subject:other");
            await BotApplication.Db(scope).SaveChangesAsync();
        });
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        // Had the other request taken the chain's gate before the lock, this append would wait for the gate and the
        // other request for the lock, until SQLite's busy timeout failed it with "database is locked".
        await flowDb.SaveChangesAsync();
        await transaction.CommitAsync();
        await other;

        await using var check = app.Scope();
        Assert.True((await check.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None)).Ok);
        Assert.Equal(2, await BotApplication.Db(check).AuditEvents.CountAsync(e => e.Action == "test.in-transaction" || e.Action == "test.beside-transaction"));
    }

    [Fact]
    public async Task AnEditedRowBreaksTheChainAtThatSequence()
    {
        using var tampered = new BotApplication();
        _ = tampered.CreateClient();
        await using var scope = tampered.Scope();
        var db = BotApplication.Db(scope);
        var victim = await db.AuditEvents.OrderBy(e => e.Sequence).Skip(2).Select(e => e.Sequence).FirstAsync();

        await db.Database.ExecuteSqlAsync($"UPDATE AuditEvents SET Actor = 'someone-else' WHERE Sequence = {victim}");

        var verification = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None);
        Assert.False(verification.Ok);
        Assert.Equal(victim, verification.FirstBrokenSequence);
    }

    [Fact]
    public async Task ASaveCancelledDuringTheChainHeadQueryLeavesLaterAttestationsFree()
    {
        using var host = new BotApplication();
        _ = host.CreateClient();
        using var cancel = new CancellationTokenSource();
        var options = new DbContextOptionsBuilder<SqliteComplianceDbContext>()
            .UseSqlite($"Data Source={Path.Combine(host.DataDirectory, "compliancebot.db")}")
            .AddInterceptors(host.Services.GetRequiredService<AuditChainInterceptor>(), new CancelOnChainHeadQuery(cancel))
            .Options;
        await using (var db = new SqliteComplianceDbContext(options))
        {
            db.AuditEvents.Add(new AuditEvent { Timestamp = BotApplication.DefaultNow, Actor = "test", Action = "test.cancelled", Subject = "subject:1", Data = "{}" });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.SaveChangesAsync(cancel.Token));
        }

        // The gate must be free again: the next audited save (an attestation) completes instead of waiting forever.
        await using var scope = host.Scope();
        var context = BotApplication.Db(scope);
        var task = await context.ControlTasks.Include(t => t.Assignee).OrderBy(t => t.Id).FirstAsync(t => t.Status == ComplianceBot.Tasks.ControlTaskStatus.Open);
        var result = await scope.ServiceProvider.GetRequiredService<Attestor>()
            .AttestAsync(task.Assignee!, new AttestationRequest(task.Id, AttestationOutcome.Performed, "Performed as described.", null, null, ChannelKind.Web, null), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsType<AttestationResult.Recorded>(result);
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None)).Ok);
    }

    /// <summary>Cancels the caller's token while the interceptor reads the chain head, as a client disconnect would.</summary>
    private sealed class CancelOnChainHeadQuery(CancellationTokenSource cancel) : DbCommandInterceptor
    {
        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("\"AuditEvents\"", StringComparison.Ordinal) && command.CommandText.Contains("ORDER BY", StringComparison.Ordinal))
            {
                await cancel.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return result;
        }
    }
}
