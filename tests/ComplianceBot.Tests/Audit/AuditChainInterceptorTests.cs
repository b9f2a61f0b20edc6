using ComplianceBot.Audit;
using Microsoft.EntityFrameworkCore;
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
}
