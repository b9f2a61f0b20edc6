using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;

namespace ComplianceBot.Tests.Security;

/// <summary>Buttons carry ids; knowing an id must not be enough to read what belongs to someone else.</summary>
public sealed class ReadAuthorizationTests(BotApplication app) : IClassFixture<BotApplication>
{
    private async Task<string> TextAsync(string user, string actionId, Dictionary<string, string> data)
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/chat", new { user, action = new { id = actionId, data } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replies")[0];
        return (reply.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String ? title.GetString() + "\n" : "") + reply.GetProperty("text").GetString();
    }

    [Fact]
    public async Task AChangesDetailsAreShownToThePeopleOnItButNotToAnyoneWithItsId()
    {
        var id = await SubmitAsync(app.CreateAdminClient(), Change(Grace));

        Assert.Equal("I couldn't find that change.", await TextAsync(Omar, "changes.view", About(id)));
        Assert.Contains($"Change #{id}", await TextAsync(Daniel, "changes.view", About(id)));
        Assert.Contains($"Change #{id}", await TextAsync(Grace, "changes.view", About(id)));
    }

    [Fact]
    public async Task ATasksDetailsAreShownToItsAssigneeButNotToSomeoneElse()
    {
        await using var scope = app.Scope();
        var task = await BotApplication.Db(scope).ControlTasks.Include(t => t.Assignee).OrderBy(t => t.Id)
            .FirstAsync(t => t.Assignee!.Email != Omar && t.Control!.Owner!.Email != Omar && t.Assignee.Manager!.Email != Omar);
        var data = new Dictionary<string, string> { ["task"] = task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal("I couldn't find that task any more.", await TextAsync(Omar, "tasks.details", data));
        Assert.Contains(task.ControlId, await TextAsync(task.Assignee!.Email, "tasks.details", data));
    }

    [Fact]
    public async Task ADelegationCanBeShortenedAndRevokedAndBothAreAudited()
    {
        var admin = app.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/api/admin/delegations", new { person = "Omar.Haddad@acme.example", @delegate = Dana, until = "2027-03-31" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var shortened = await admin.PatchAsJsonAsync($"/api/admin/delegations/{id}", new { until = "2026-12-04" });
        var past = await admin.PatchAsJsonAsync($"/api/admin/delegations/{id}", new { until = "2026-01-01" });
        var revoked = await admin.DeleteAsync($"/api/admin/delegations/{id}");
        var again = await admin.DeleteAsync($"/api/admin/delegations/{id}");

        Assert.Equal("2026-12-04", (await shortened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("until").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<JsonElement>("/api/admin/delegations")).EnumerateArray(), d => d.GetProperty("id").GetInt32() == id);
        await using var scope = app.Scope();
        var actions = await BotApplication.Db(scope).AuditEvents.Where(e => e.Action.StartsWith("delegation.")).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync();
        Assert.Equal(["delegation.recorded", "delegation.changed", "delegation.revoked"], actions.TakeLast(3));
    }
}
