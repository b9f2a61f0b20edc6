using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Data;

public sealed class SqliteConnectionTests : IDisposable
{
    private readonly BotApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task EveryPooledConnectionWaitsForTheWriteLockInsteadOfFailingFast()
    {
        // Two scopes in a row get the same physical connection from the pool; both must carry the timeout.
        for (var i = 0; i < 2; i++)
        {
            await using var scope = _app.Scope();
            var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
            var timeout = await db.Database.SqlQueryRaw<long>("SELECT timeout AS Value FROM pragma_busy_timeout").SingleAsync();

            Assert.Equal(30_000, timeout);
        }
    }
}
