using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Attestations;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Web;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.Attestations;

public sealed class AttestationFlowTests : IClassFixture<BotApplication>
{
    private readonly BotApplication _app;

    public AttestationFlowTests(BotApplication app) => _app = app;

    private WebChatDriver Chat(string user) => new(_app.CreateClient(), user);

    private async Task<ControlTask> OpenTaskOfAsync(string email, int skip = 0)
    {
        await using var scope = _app.Scope();
        var today = DateOnly.FromDateTime(_app.Clock.GetUtcNow().UtcDateTime);
        return await BotApplication.Db(scope).ControlTasks.AsNoTracking().Include(t => t.Control)
            .Where(t => t.Assignee!.Email == email && t.Status == ControlTaskStatus.Open && t.PeriodStart <= today)
            .OrderBy(t => t.Id).Skip(skip).FirstAsync();
    }

    private static Dictionary<string, string> Task(ControlTask task) => new() { ["task"] = task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task AttestingRecordsAnImmutableAttestationMovesTheTaskAndUpdatesTheMessage()
    {
        var task = await OpenTaskOfAsync("dana.reyes@acme.example");
        var chat = Chat("dana.reyes@acme.example");

        var form = (await chat.ClickAsync(AttestationFlow.StartAction, Task(task)))[0];
        var inputs = form.GetProperty("form").GetProperty("inputs").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.Equal(task.Control!.StatementFor(task.Period), inputs["statement"].GetProperty("value").GetString());
        Assert.Equal(3, inputs["outcome"].GetProperty("options").GetArrayLength());

        var outcome = (await chat.SubmitAsync(form, new Dictionary<string, string> { ["outcome"] = "Performed", ["statement"] = inputs["statement"].GetProperty("value").GetString()! }))[0];

        Assert.True(outcome.GetProperty("updatesSource").GetBoolean());
        Assert.Equal("Performed as described", WebChatDriver.Fields(outcome)["Outcome"]);
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var attestation = await db.Attestations.Include(a => a.AttestedBy).SingleAsync(a => a.TaskId == task.Id);
        Assert.Equal("dana.reyes@acme.example", attestation.AttestedBy!.Email);
        Assert.Equal(task.Control.StatementFor(task.Period), attestation.Statement);
        Assert.Equal(ComplianceBot.Conversations.ChannelKind.Web, attestation.Channel);
        Assert.True(attestation.HashMatches(task.ControlId, task.Period, "dana.reyes@acme.example"));
        Assert.Equal(ControlTaskStatus.Completed, (await db.ControlTasks.SingleAsync(t => t.Id == task.Id)).Status);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "attestation.recorded" && e.Subject == $"task:{task.Id}"));

        attestation.GetType().GetProperty(nameof(Attestation.Notes))!.SetValue(attestation, "edited later");
        db.Entry(attestation).State = EntityState.Modified;
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task ADailyOccurrenceOpensForAttestationOnItsOwnDayOnly()
    {
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var today = await db.ControlTasks.AsNoTracking().SingleAsync(t => t.ControlId == "AVL-02" && t.Period == "2026-11-27");
        var tomorrow = await db.ControlTasks.AsNoTracking().SingleAsync(t => t.ControlId == "AVL-02" && t.Period == "2026-11-28");
        var chat = Chat("hannah.schmidt@acme.example");

        var early = (await chat.ClickAsync(AttestationFlow.StartAction, Task(tomorrow)))[0];
        var form = (await chat.ClickAsync(AttestationFlow.StartAction, Task(today)))[0];

        Assert.Contains("AVL-02 for 2026-11-28 opens for attestation on Sat 28 Nov 2026, when its period starts.", early.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, early.GetProperty("form").ValueKind);
        Assert.Equal(JsonValueKind.Object, form.GetProperty("form").ValueKind);
        Assert.False(await db.Attestations.AnyAsync(a => a.TaskId == tomorrow.Id));
    }

    [Fact]
    public async Task NotesAreRequiredForExceptionsAndTheFormShowsTheErrorOnThatInput()
    {
        var task = await OpenTaskOfAsync("dana.reyes@acme.example", skip: 1);
        var chat = Chat("dana.reyes@acme.example");
        var form = (await chat.ClickAsync(AttestationFlow.StartAction, Task(task)))[0];

        var again = (await chat.SubmitAsync(form, new Dictionary<string, string> { ["outcome"] = "PerformedWithExceptions", ["statement"] = "I did it mostly" }))[0];

        var errors = again.GetProperty("form").GetProperty("errors");
        Assert.True(errors.TryGetProperty("notes", out _));
        await using var scope = _app.Scope();
        Assert.False(await BotApplication.Db(scope).Attestations.AnyAsync(a => a.TaskId == task.Id));
    }

    [Fact]
    public async Task SomeoneWhoIsNotTheAssigneeIsRefusedAndTheRefusalIsLogged()
    {
        var task = await OpenTaskOfAsync("dana.reyes@acme.example", skip: 2);
        var chat = Chat("maria.chen@acme.example");

        var start = (await chat.ClickAsync(AttestationFlow.StartAction, Task(task)))[0];
        var submit = (await chat.ClickAsync(AttestationFlow.SubmitAction, new Dictionary<string, string>(Task(task)) { ["outcome"] = "Performed", ["statement"] = "x" }))[0];

        Assert.Contains("Only Dana Reyes", start.GetProperty("text").GetString());
        Assert.False(start.TryGetProperty("form", out var f) && f.ValueKind != JsonValueKind.Null);
        Assert.Contains("Only Dana Reyes", submit.GetProperty("text").GetString());
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        Assert.False(await db.Attestations.AnyAsync(a => a.TaskId == task.Id));
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == "task.refused" && e.Subject == $"task:{task.Id}" && e.Actor == "maria.chen@acme.example"));
    }

    [Fact]
    public async Task ARecordedDelegateMayAttestOnTheAssigneesBehalf()
    {
        var task = await OpenTaskOfAsync("dana.reyes@acme.example", skip: 3);
        await using (var scope = _app.Scope())
        {
            var db = BotApplication.Db(scope);
            var dana = await db.People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
            var julia = await db.People.SingleAsync(p => p.Email == "julia.novak@acme.example");
            db.Delegations.Add(new Delegation { PersonId = dana.Id, DelegateId = julia.Id, CreatedAt = _app.Clock.GetUtcNow(), CreatedBy = "test" });
            await db.SaveChangesAsync();
        }

        var chat = Chat("julia.novak@acme.example");
        var form = (await chat.ClickAsync(AttestationFlow.StartAction, Task(task)))[0];
        await chat.SubmitAsync(form, new Dictionary<string, string> { ["outcome"] = "NotPerformed", ["notes"] = "Dana on leave; rescheduled.", ["statement"] = "Not done" });

        await using var check = _app.Scope();
        var attestation = await BotApplication.Db(check).Attestations.Include(a => a.AttestedBy).SingleAsync(a => a.TaskId == task.Id);
        Assert.Equal("julia.novak@acme.example", attestation.AttestedBy!.Email);
        Assert.Equal(AttestationOutcome.NotPerformed, attestation.Outcome);
    }

    [Fact]
    public async Task ACorrectionIsANewAttestationThatSupersedesThePreviousOne()
    {
        var task = await OpenTaskOfAsync("dana.reyes@acme.example", skip: 4);
        var chat = Chat("dana.reyes@acme.example");
        var form = (await chat.ClickAsync(AttestationFlow.StartAction, Task(task)))[0];
        await chat.SubmitAsync(form, new Dictionary<string, string> { ["outcome"] = "Performed", ["statement"] = "All good" });

        var correctionForm = (await chat.ClickAsync(AttestationFlow.StartAction, Task(task)))[0];
        var corrected = (await chat.SubmitAsync(correctionForm, new Dictionary<string, string> { ["outcome"] = "PerformedWithExceptions", ["notes"] = "Two reviews late", ["statement"] = "All good, with exceptions" }))[0];

        Assert.StartsWith("Correction recorded", corrected.GetProperty("text").GetString());
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var rows = await db.Attestations.Where(a => a.TaskId == task.Id).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].SupersedesId);
        Assert.Equal(rows[0].Id, rows[1].SupersedesId);
        Assert.Equal(AttestationOutcome.Performed, rows[0].Outcome);
        Assert.Equal(ControlTaskStatus.CompletedWithExceptions, (await db.ControlTasks.SingleAsync(t => t.Id == task.Id)).Status);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "attestation.corrected" && e.Subject == $"task:{task.Id}"));
    }

    [Fact]
    public async Task MyTasksOffersAttestAndUploadEvidenceButtons()
    {
        var reply = (await Chat("omar.haddad@acme.example").SayAsync("my tasks"))[0];

        var ids = reply.GetProperty("items")[0].GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.Contains(AttestationFlow.StartAction, ids);
        Assert.Contains(ComplianceBot.Evidence.EvidenceFlow.UploadAction, ids);
    }
}

public sealed class DelegationsApiTests
{
    [Fact]
    public async Task ADelegationRecordedThroughTheAdminApiIsAuditedAndDuplicatesAreRefused()
    {
        using var app = new BotApplication();
        var admin = app.CreateAdminClient();
        var body = new { person = "omar.haddad@acme.example", @delegate = "julia.novak@acme.example", until = "2027-01-31" };

        var created = await admin.PostAsJsonAsync("/api/admin/delegations", body);
        var duplicate = await admin.PostAsJsonAsync("/api/admin/delegations", body);
        var unknown = await admin.PostAsJsonAsync("/api/admin/delegations", new { person = "nobody@acme.example", @delegate = "julia.novak@acme.example" });

        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(new DateOnly(2027, 1, 31), (await db.Delegations.SingleAsync()).Until);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "delegation.recorded" && e.Actor == "break-glass:Admin:ApiKey"));
    }
}
