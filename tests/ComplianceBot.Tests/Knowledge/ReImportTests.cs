using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.Knowledge;

/// <summary>A re-import the compliance lead can trust: consequences first, no orphaned work, new owners told.</summary>
public sealed class ReImportTests : IDisposable
{
    private const string Omar = "omar.haddad@acme.example";
    private readonly KnowledgeCopy _knowledge = new();
    private readonly BotApplication _app;

    public ReImportTests()
    {
        _app = new BotApplication();
        _app.Settings["Knowledge:Path"] = _knowledge.Root;
    }

    public void Dispose()
    {
        _app.Dispose();
        _knowledge.Dispose();
    }

    [Fact]
    public async Task ADryRunListsTheConsequencesAndChangesNothing()
    {
        var admin = _app.CreateAdminClient();
        _knowledge.Replace("program/controls.yaml", $"owner: {Omar}", "owner: julia.novak@acme.example");
        _knowledge.Replace("program/people.yaml", "time_zone: Europe/London\n    roles: []\n    preferred_channel: teams\n    status: active", "time_zone: Europe/London\n    roles: []\n    preferred_channel: teams\n    status: left");

        var plan = await (await admin.PostAsync("/api/admin/import?dryRun=true", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(plan.GetProperty("dryRun").GetBoolean());
        Assert.False(plan.GetProperty("applied").GetBoolean());
        var moves = plan.GetProperty("ownersMoved").EnumerateArray().ToList();
        Assert.Equal(4, moves.Count);
        Assert.All(moves, m => Assert.Equal((Omar, "julia.novak@acme.example"), (m.GetProperty("from").GetString(), m.GetProperty("to").GetString())));
        Assert.Contains(moves, m => m.GetProperty("control").GetString() == "GOV-01" && m.GetProperty("openTasks").GetInt32() > 0);
        Assert.Contains(plan.GetProperty("controlsChanged").EnumerateArray(), c => c.GetProperty("control").GetString() == "GOV-01"
            && c.GetProperty("fields").EnumerateArray().Any(f => f.GetString() == "owner"));
        var leaver = Assert.Single(plan.GetProperty("peopleLeaving").EnumerateArray());
        Assert.Equal((Omar, "left", 0), (leaver.GetProperty("email").GetString(), leaver.GetProperty("change").GetString(), leaver.GetProperty("openTasks").GetInt32()));
        Assert.False(plan.GetProperty("blocked").GetBoolean());
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(Omar, (await db.Controls.Include(c => c.Owner).SingleAsync(c => c.Id == "GOV-01")).Owner!.Email);
        Assert.Equal(PersonStatus.Active, (await db.People.SingleAsync(p => p.Email == Omar)).Status);
    }

    [Fact]
    public async Task ALeaverWithOpenWorkIsRefusedUntilToldWhereItGoesThenTheSuccessorIsTold()
    {
        var admin = _app.CreateAdminClient();
        int handed;
        await using (var scope = _app.Scope())
        {
            // A task handed to Omar earlier ("Not mine") that no control move will carry away.
            var db = BotApplication.Db(scope);
            var omar = await db.People.SingleAsync(p => p.Email == Omar);
            var task = await db.ControlTasks.Where(t => t.Assignee!.Email == "dana.reyes@acme.example" && t.Status == ControlTaskStatus.Open).OrderBy(t => t.Id).FirstAsync();
            task.Reassign(omar);
            db.Reminders.Add(new Reminder { Subject = ReminderPlanner.TaskSubject(task.Id), Step = "due", TaskId = task.Id, RecipientId = omar.Id, DueAt = BotApplication.DefaultNow.AddDays(3), CreatedAt = BotApplication.DefaultNow });
            await db.SaveChangesAsync();
            handed = task.Id;
        }

        _knowledge.Replace("program/controls.yaml", $"owner: {Omar}", "owner: julia.novak@acme.example");
        var people = File.ReadAllText(_knowledge.PathOf("program/people.yaml"));
        var start = people.IndexOf($"  - email: {Omar}", StringComparison.Ordinal);
        var end = people.IndexOf("  - email: daniel.levi@acme.example", StringComparison.Ordinal);
        File.WriteAllText(_knowledge.PathOf("program/people.yaml"), people.Remove(start, end - start));

        var refused = await admin.PostAsync("/api/admin/import", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var blockers = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("blockers").EnumerateArray().Select(b => b.GetString()!).ToList();
        Assert.Contains(blockers, b => b.Contains(Omar) && b.Contains("1 open task") && b.Contains("?reassign="));
        await using (var scope = _app.Scope())
        {
            Assert.Equal(PersonStatus.Active, (await BotApplication.Db(scope).People.SingleAsync(p => p.Email == Omar)).Status);
        }

        var applied = await admin.PostAsync($"/api/admin/import?reassign={Omar}:maria.chen@acme.example", null);

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.True((await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetBoolean());
        await using (var scope = _app.Scope())
        {
            var db = BotApplication.Db(scope);
            Assert.Equal(PersonStatus.Removed, (await db.People.SingleAsync(p => p.Email == Omar)).Status);
            Assert.Equal("maria.chen@acme.example", (await db.ControlTasks.Include(t => t.Assignee).SingleAsync(t => t.Id == handed)).Assignee!.Email);
            Assert.Equal("julia.novak@acme.example", (await db.Controls.Include(c => c.Owner).SingleAsync(c => c.Id == "GOV-01")).Owner!.Email);
            Assert.False(await db.Reminders.AnyAsync(r => r.Recipient!.Email == Omar && r.Status == ReminderStatus.Pending));
        }

        Assert.Contains(await InboxTitlesAsync("maria.chen@acme.example"), t => t == "Work handed over to you");
        Assert.Contains(await InboxTitlesAsync("julia.novak@acme.example"), t => t == "New control owner: GOV-01");
    }

    [Fact]
    public async Task ALeaverWithASuccessorInPeopleYamlHandsTheWorkOverWithoutAReassignParameter()
    {
        int handed;
        await using (var scope = _app.Scope())
        {
            var db = BotApplication.Db(scope);
            var omar = await db.People.SingleAsync(p => p.Email == Omar);
            var task = await db.ControlTasks.Where(t => t.Assignee!.Email == "dana.reyes@acme.example" && t.Status == ControlTaskStatus.Open).OrderBy(t => t.Id).FirstAsync();
            task.Reassign(omar);
            await db.SaveChangesAsync();
            handed = task.Id;
        }

        _knowledge.Replace("program/controls.yaml", $"owner: {Omar}", "owner: julia.novak@acme.example");
        _knowledge.Replace("program/people.yaml", "time_zone: Europe/London\n    roles: []\n    preferred_channel: teams\n    status: active",
            "time_zone: Europe/London\n    roles: []\n    preferred_channel: teams\n    status: left\n    successor: maria.chen@acme.example");

        var dryRun = await (await _app.CreateAdminClient().PostAsync("/api/admin/import?dryRun=true", null)).Content.ReadFromJsonAsync<JsonElement>();
        var leaver = Assert.Single(dryRun.GetProperty("peopleLeaving").EnumerateArray());
        Assert.Equal("maria.chen@acme.example", leaver.GetProperty("reassignTo").GetString());
        Assert.False(dryRun.GetProperty("blocked").GetBoolean());

        var applied = await _app.CreateAdminClient().PostAsync("/api/admin/import", null);

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        await using (var scope = _app.Scope())
        {
            var db = BotApplication.Db(scope);
            Assert.Equal(PersonStatus.Left, (await db.People.SingleAsync(p => p.Email == Omar)).Status);
            Assert.Equal("maria.chen@acme.example", (await db.ControlTasks.Include(t => t.Assignee).SingleAsync(t => t.Id == handed)).Assignee!.Email);
        }

        Assert.Contains(await InboxTitlesAsync("maria.chen@acme.example"), t => t == "Work handed over to you");
    }

    [Fact]
    public async Task ASuccessorWhoIsNotInTheDirectoryIsAFieldErrorWithADidYouMean()
    {
        var admin = _app.CreateAdminClient();
        _knowledge.Replace("program/people.yaml", "time_zone: Europe/London\n    roles: []\n    preferred_channel: teams\n    status: active",
            "time_zone: Europe/London\n    roles: []\n    preferred_channel: teams\n    status: left\n    successor: maria.chen@acme.exmaple");

        var response = await admin.PostAsync("/api/admin/import?dryRun=true", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.Contains("people.yaml", StringComparison.Ordinal) && p.Contains("unknown successor", StringComparison.Ordinal)
            && p.Contains("maria.chen@acme.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReassignPairThatIsNotTwoEmailsIsA400()
    {
        var response = await _app.CreateAdminClient().PostAsync("/api/admin/import?reassign=omar", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<List<string?>> InboxTitlesAsync(string user)
    {
        var inbox = await _app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/chat/inbox?user={Uri.EscapeDataString(user)}");
        return [.. inbox.EnumerateArray().Select(m => m.GetProperty("reply").TryGetProperty("title", out var t) ? t.GetString() : null)];
    }
}
