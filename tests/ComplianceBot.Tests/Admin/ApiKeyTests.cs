using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.Admin;

public sealed class ApiKeyTests : IDisposable
{
    private const string Dana = "dana.reyes@acme.example";
    private readonly BotApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task TheBootstrapKeyCreatesAPersonalKeyAndEveryActionNamesThePersonNotApiAdmin()
    {
        var danaKey = await CreateKeyAsync(Dana, "admin");

        var admin = Client(danaKey);
        var delegation = await admin.PostAsJsonAsync("/api/admin/delegations", new { person = "nina.patel@acme.example", @delegate = "julia.novak@acme.example" });

        Assert.Equal(HttpStatusCode.Created, delegation.StatusCode);
        await using var scope = _app.Scope();
        var events = await BotApplication.Db(scope).AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal("break-glass:Admin:ApiKey", events.Single(e => e.Action == "api-key.created").Actor);
        Assert.Matches(@"^dana\.reyes@acme\.example \(api key \d+\)$", events.Single(e => e.Action == "delegation.recorded").Actor);
        Assert.DoesNotContain(events, e => e.Actor == "api:admin");
        Assert.True(await BotApplication.Db(scope).ApiKeys.AllAsync(k => k.Sha256 != danaKey && k.Sha256.Length == 64), "only the SHA-256 of a key is stored");
    }

    [Fact]
    public async Task AnAuditorReadsTheExportVerificationAndPopulationAndNothingElse()
    {
        await AddAuditorAsync("ext.auditor@cpa.example");
        var auditor = Client(await CreateKeyAsync("ext.auditor@cpa.example", "auditor"));

        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/admin/audit/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/admin/tasks?period=2026-Q4")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/admin/export?period=2026-Q4", HttpCompletionOption.ResponseHeadersRead)).StatusCode);

        foreach (var (method, path) in new[] { ("GET", "/api/admin/people"), ("POST", "/api/admin/import"), ("GET", "/api/admin/keys"), ("GET", "/api/admin/reminders"), ("GET", "/api/changes/1") })
        {
            var response = await auditor.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task AKeyWithoutTheRoleIs403ProblemDetailsAndARevokedKeyIs401()
    {
        var integration = await CreateKeyAsync("omar.haddad@acme.example", "integration");
        var client = Client(integration);

        var problem = await AssertProblemAsync(await client.GetAsync("/api/admin/people"), HttpStatusCode.Forbidden);
        Assert.Contains("integration", problem.GetProperty("detail").GetString());

        var keys = await _app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/keys");
        var id = keys.EnumerateArray().Single(k => k.GetProperty("person").GetString() == "omar.haddad@acme.example").GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await _app.CreateAdminClient().DeleteAsync($"/api/admin/keys/{id}")).StatusCode);

        var revoked = await AssertProblemAsync(await client.GetAsync("/api/changes/1"), HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", (await client.GetAsync("/api/changes/1")).Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(401, revoked.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AnAdminKeyNeedsAComplianceAdminAndBadRequestsNameTheField()
    {
        var admin = _app.CreateAdminClient();

        var notAdmin = await admin.PostAsJsonAsync("/api/admin/keys", new { person = "omar.haddad@acme.example", roles = new[] { "admin" }, name = "laptop" });
        var unknownRole = await admin.PostAsJsonAsync("/api/admin/keys", new { person = Dana, roles = new[] { "root" }, name = "laptop" });
        var nobody = await admin.PostAsJsonAsync("/api/admin/keys", new { person = "nobody@acme.example", roles = new[] { "integration" } });

        Assert.True((await AssertProblemAsync(notAdmin, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("roles", out _));
        Assert.True((await AssertProblemAsync(unknownRole, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("roles", out _));
        var errors = (await AssertProblemAsync(nobody, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("person", out _));
        Assert.True(errors.TryGetProperty("name", out _));
        await using var scope = _app.Scope();
        Assert.Empty(await BotApplication.Db(scope).ApiKeys.ToListAsync());
    }

    [Fact]
    public async Task APersonWhoLeftLosesTheirKeysAndAnExpiredKeyStopsWorking()
    {
        var client = Client(await CreateKeyAsync(Dana, "admin"));
        var expiring = Client(await CreateKeyAsync("julia.novak@acme.example", "admin", expires: "2026-11-30"));
        Assert.Equal(HttpStatusCode.OK, (await expiring.GetAsync("/api/admin/people")).StatusCode);

        await using (var scope = _app.Scope())
        {
            var db = BotApplication.Db(scope);
            (await db.People.SingleAsync(p => p.Email == Dana)).Status = PersonStatus.Left;
            await db.SaveChangesAsync();
        }

        _app.Clock.Advance(TimeSpan.FromDays(4));
        await AssertProblemAsync(await client.GetAsync("/api/admin/people"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await expiring.GetAsync("/api/admin/people"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AClientThatKeepsGuessingIsRefusedWith429EvenWithTheRightKey()
    {
        _app.Settings["Admin:FailedKeyAttemptsPerMinute"] = "3";
        var guesser = _app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new("Bearer", $"guess-{i}");
            await AssertProblemAsync(await guesser.GetAsync("/api/admin/people"), HttpStatusCode.Unauthorized);
        }

        guesser.DefaultRequestHeaders.Authorization = new("Bearer", BotApplication.AdminKey);
        var refused = await guesser.GetAsync("/api/admin/people");

        await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    private async Task<string> CreateKeyAsync(string person, string role, string? expires = null)
    {
        var response = await _app.CreateAdminClient().PostAsJsonAsync("/api/admin/keys", new { person, roles = new[] { role }, name = $"{role} key", expires });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        Assert.StartsWith("cbk_", key);
        return key;
    }

    private async Task AddAuditorAsync(string email)
    {
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        db.People.Add(new Person { Email = email, Name = "External Auditor", Roles = PersonRoles.Auditor });
        await db.SaveChangesAsync();
    }

    private HttpClient Client(string key)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }
}

public sealed class ConfiguredKeyLengthTests
{
    [Fact]
    public void OutsideDevelopmentTheHostRefusesToStartWithAShortKey()
    {
        using var app = new BotApplication();
        app.Settings["environment"] = "Production";
        app.Settings["Changes:ApiKey"] = "too-short-for-production";
        app.Settings["Admin:ApiKey"] = new string('k', 40);

        var refused = Record.Exception(() => app.CreateClient());

        Assert.NotNull(refused);
        Assert.Contains("Changes:ApiKey must be at least 32 characters", refused.ToString());
        Assert.DoesNotContain("Admin:ApiKey,", refused.ToString());
    }
}
