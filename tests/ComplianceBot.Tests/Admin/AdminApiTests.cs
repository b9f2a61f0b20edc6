using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ComplianceBot.Tests.Admin;

public sealed class AdminApiTests(BotApplication app) : IClassFixture<BotApplication>
{
    [Theory]
    [InlineData("/api/admin/people")]
    [InlineData("/api/admin/controls")]
    [InlineData("/api/admin/tasks")]
    public async Task WithoutTheKeyTheAdminApiIs401(string path)
    {
        var anonymous = app.CreateClient();
        var wrongKey = app.CreateClient();
        wrongKey.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-key");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task PeopleCarryTheirManagersEmail()
    {
        var people = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/people");

        var dana = people.EnumerateArray().Single(p => p.GetProperty("email").GetString() == "dana.reyes@acme.example");
        Assert.Equal("maria.chen@acme.example", dana.GetProperty("managerEmail").GetString());
    }

    [Fact]
    public async Task ControlsCarryOwnerAndCriteria()
    {
        var controls = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/controls");

        var ac01 = controls.EnumerateArray().Single(c => c.GetProperty("id").GetString() == "AC-01");
        Assert.False(string.IsNullOrEmpty(ac01.GetProperty("title").GetString()));
        Assert.EndsWith("@acme.example", ac01.GetProperty("ownerEmail").GetString());
        Assert.Contains("CC6.2", ac01.GetProperty("criteria").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task TasksFilterByPeriodStatusAndOwner()
    {
        var admin = app.CreateAdminClient();

        var q4 = await admin.GetFromJsonAsync<JsonElement>("/api/admin/tasks?period=2026-Q4&status=open");
        var dana = await admin.GetFromJsonAsync<JsonElement>("/api/admin/tasks?owner=DANA.REYES@acme.example");

        Assert.True(q4.GetArrayLength() > 0);
        // A period filter takes every task whose period overlaps it: the quarter's own tasks, its months, weeks and days,
        // and the year's annual tasks.
        Assert.All(q4.EnumerateArray(), t =>
        {
            Assert.True(string.CompareOrdinal(t.GetProperty("periodStart").GetString(), "2026-12-31") <= 0);
            Assert.True(string.CompareOrdinal(t.GetProperty("periodEnd").GetString(), "2026-10-01") >= 0);
        });
        Assert.Contains(q4.EnumerateArray(), t => t.GetProperty("period").GetString() == "2026-11-27");
        Assert.Contains(q4.EnumerateArray(), t => t.GetProperty("period").GetString() == "2026-Q4");
        Assert.True(dana.GetArrayLength() > 0);
        Assert.All(dana.EnumerateArray(), t => Assert.Equal("dana.reyes@acme.example", t.GetProperty("assigneeEmail").GetString()));
    }

    [Fact]
    public async Task AnUnknownStatusFilterIsA400()
    {
        var response = await app.CreateAdminClient().GetAsync("/api/admin/tasks?status=finished");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown status", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HealthIsHealthyWhenTheDatabaseAnswers()
    {
        var response = await app.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}

public sealed class AdminApiWithoutKeyTests : IDisposable
{
    private readonly BotApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task WithNoKeyConfiguredEveryoneIsRefusedEvenWithAnEmptyBearer()
    {
        _app.Settings["Admin:ApiKey"] = "";
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", "Bearer ");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/admin/people")).StatusCode);
    }
}
