using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.Audit;

public sealed class AuditVerifyTests
{
    [Fact]
    public async Task VerifyIsOkOnAnIntactChainAndNamesTheFirstTamperedSequence()
    {
        using var app = new BotApplication();
        var client = app.CreateAdminClient();

        var intact = await client.GetFromJsonAsync<JsonElement>("/api/admin/audit/verify");
        Assert.True(intact.GetProperty("ok").GetBoolean());
        Assert.True(intact.GetProperty("count").GetInt64() > 2);

        await using (var scope = app.Scope())
        {
            await BotApplication.Db(scope).Database.ExecuteSqlRawAsync("UPDATE AuditEvents SET Actor = 'someone-else' WHERE Sequence = 2");
        }

        var tampered = await client.GetFromJsonAsync<JsonElement>("/api/admin/audit/verify");
        Assert.False(tampered.GetProperty("ok").GetBoolean());
        Assert.Equal(2, tampered.GetProperty("firstBrokenSequence").GetInt64());
    }

    [Fact]
    public async Task VerifyNeedsTheAdminKey()
    {
        using var app = new BotApplication();

        var response = await app.CreateClient().GetAsync("/api/admin/audit/verify");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
