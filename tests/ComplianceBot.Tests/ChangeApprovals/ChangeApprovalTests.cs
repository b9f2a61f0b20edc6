using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Audit;
using ComplianceBot.Outbox;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;

namespace ComplianceBot.Tests.ChangeApprovals;

/// <summary>The host with the change integration key configured.</summary>
public sealed class ChangesApplication : BotApplication
{
    public const string IntegrationKey = "test-changes-key";

    public ChangesApplication()
    {
        Settings["Changes:ApiKey"] = IntegrationKey;
        AllowLocalCallbacks(this);
    }

    public const string CallbackSecret = "test-callback-secret-0123456789abcdef";

    /// <summary>The test pipelines listen on 127.0.0.1, which callbacks refuse unless it is allow-listed; callbacks need a signing secret.</summary>
    public static void AllowLocalCallbacks(BotApplication app)
    {
        app.Settings["Changes:Callbacks:AllowedHosts:0"] = "127.0.0.1";
        app.Settings["Changes:Callbacks:Secret"] = CallbackSecret;
    }
}

public sealed class ChangeApprovalTests(ChangesApplication app) : IClassFixture<ChangesApplication>
{
    private readonly HttpClient _admin = app.CreateAdminClient();
    private readonly HttpClient _chat = app.CreateClient();

    [Fact]
    public async Task SubmittedChangeSendsAnApprovalCardToTheRequestersManager()
    {
        var response = await _admin.PostAsJsonAsync("/api/changes", Change(Grace));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal($"/api/changes/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal([Daniel], created.GetProperty("approvers").EnumerateArray().Select(a => a.GetString()));

        var card = await CardAsync(_chat, Daniel, id);
        var fields = Fields(card);
        Assert.Equal("GitHub", fields["System"]);
        Assert.Equal("🟡 MEDIUM", fields["Risk"]);
        Assert.Equal("Grace Liu", fields["Requester"]);
        Assert.Contains("pull/42", fields["Links"]);
        Assert.Equal("Turn the rule off again in repository settings.", fields["Rollback plan"]);
        Assert.Equal("1 Dec 2026 22:00–23:00 UTC", fields["Planned window"]);
        Assert.Equal(["changes.approve", "changes.reject"], ActionIds(card));

        var status = await StatusAsync(_admin, id);
        Assert.Equal("pending", status.GetProperty("status").GetString());
        Assert.False(status.GetProperty("mayProceed").GetBoolean());
        Assert.Empty(status.GetProperty("decisions").EnumerateArray());
    }

    [Theory]
    [InlineData("title", null)]
    [InlineData("risk", "huge")]
    [InlineData("requesterEmail", "nobody@acme.example")]
    [InlineData("system", "Mainframe")]
    [InlineData("callbackUrl", "ftp://ci.acme.example/hook")]
    [InlineData("authorEmail", "ghost@acme.example")]
    public async Task BadInputIsA400ThatNamesTheField(string field, string? value)
    {
        var change = Change(Grace);
        change[field] = value;

        var response = await _admin.PostAsJsonAsync("/api/changes", change);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AWronglyTypedFieldIsA400ThatNamesIt()
    {
        var change = Change(Grace);
        change["links"] = "https://github.com/acme/app/pull/42";

        var response = await _admin.PostAsJsonAsync("/api/changes", change);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("links", out _));
    }

    [Fact]
    public async Task TheApiTakesTheAdminKeyOrTheIntegrationKeyAndNothingElse()
    {
        var anonymous = app.CreateClient();
        var wrong = app.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "guess");
        var integration = app.CreateClient();
        integration.DefaultRequestHeaders.Authorization = new("Bearer", ChangesApplication.IntegrationKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/changes", Change(Grace))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/changes/1")).StatusCode);
        var id = await SubmitAsync(integration, Change(Grace));
        Assert.Equal("pending", (await StatusAsync(integration, id)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await integration.GetAsync("/api/changes/999999")).StatusCode);

        await using var scope = app.Scope();
        var submitted = await BotApplication.Db(scope).AuditEvents.SingleAsync(e => e.Subject == $"change:{id}" && e.Action == "change.submitted");
        Assert.Equal("break-glass:Changes:ApiKey", submitted.Actor);
    }

    [Fact]
    public async Task ManagerApprovesAndEveryCardTheRequesterAndTheStatusShowIt()
    {
        var id = await SubmitAsync(_admin, Change(Grace));

        var replies = await ActAsync(_chat, Daniel, "changes.approve", About(id));

        var reply = replies[0];
        Assert.True(reply.GetProperty("updatesSource").GetBoolean());
        Assert.Contains("It is now approved", reply.GetProperty("text").GetString());
        Assert.Empty(ActionIds(reply));

        var status = await StatusAsync(_admin, id);
        Assert.Equal("approved", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("mayProceed").GetBoolean());
        var decision = Assert.Single(status.GetProperty("decisions").EnumerateArray());
        Assert.Equal(Daniel, decision.GetProperty("who").GetString());
        Assert.Equal("approved", decision.GetProperty("decision").GetString());

        var managerCard = await CardAsync(_chat, Daniel, id);
        Assert.Empty(ActionIds(managerCard));
        Assert.StartsWith("approved on", Fields(managerCard)["Status"]);
        Assert.Contains("Approved by Daniel Levi", Fields(managerCard).Keys);
        var notice = await CardAsync(_chat, Grace, id);
        Assert.Contains("was approved", notice.GetProperty("text").GetString());
    }

    [Fact]
    public async Task RequesterReplayingTheApproveActionIsRefusedAndTheAttemptIsAudited()
    {
        var id = await SubmitAsync(_admin, Change(Grace));

        var replies = await ActAsync(_chat, Grace, "changes.approve", About(id));

        Assert.Contains("segregation of duties", replies[0].GetProperty("text").GetString());
        var status = await StatusAsync(_admin, id);
        Assert.Equal("pending", status.GetProperty("status").GetString());
        Assert.Empty(status.GetProperty("decisions").EnumerateArray());
        await using var scope = app.Scope();
        var refusal = await BotApplication.Db(scope).AuditEvents.SingleAsync(e => e.Subject == $"change:{id}" && e.Action == "change.decision_refused");
        Assert.Equal(Grace, refusal.Actor);
        Assert.Contains("requester", refusal.Data);
    }

    [Fact]
    public async Task SomeoneWhoIsNotAnApproverIsRefusedAndAudited()
    {
        var id = await SubmitAsync(_admin, Change(Grace));

        var replies = await ActAsync(_chat, Omar, "changes.approve", About(id));

        Assert.Contains("not an approver", replies[0].GetProperty("text").GetString());
        Assert.Equal("pending", (await StatusAsync(_admin, id)).GetProperty("status").GetString());
        await using var scope = app.Scope();
        Assert.True(await BotApplication.Db(scope).AuditEvents.AnyAsync(e => e.Subject == $"change:{id}" && e.Action == "change.decision_refused" && e.Actor == Omar));
    }

    [Fact]
    public async Task TheAuthorIsNeverAskedAndCannotApproveEvenWhenInTheAdvisoryGroup()
    {
        var created = await (await _admin.PostAsJsonAsync("/api/changes", Change(Grace, "high", author: Priya))).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();
        Assert.DoesNotContain(Priya, created.GetProperty("approvers").EnumerateArray().Select(a => a.GetString()));

        var replies = await ActAsync(_chat, Priya, "changes.approve", About(id));

        Assert.Contains("You wrote change", replies[0].GetProperty("text").GetString());
        Assert.Empty((await StatusAsync(_admin, id)).GetProperty("decisions").EnumerateArray());
    }

    [Fact]
    public async Task HighRiskNeedsTheManagerAndADistinctAdvisoryMemberAndTheRequesterInTheGroupIsRefused()
    {
        // Rachel is in change advisory; her manager James is too, and his one approval must not count twice.
        var id = await SubmitAsync(_admin, Change(Rachel, "high"));

        var own = await ActAsync(_chat, Rachel, "changes.approve", About(id));
        Assert.Contains("segregation of duties", own[0].GetProperty("text").GetString());

        await ActAsync(_chat, James, "changes.approve", About(id));
        Assert.Equal("pending", (await StatusAsync(_admin, id)).GetProperty("status").GetString());
        var priyaCard = await CardAsync(_chat, Priya, id);
        Assert.Contains("Approved by James Okafor", Fields(priyaCard).Keys);
        Assert.Equal(["changes.approve", "changes.reject"], ActionIds(priyaCard));

        await ActAsync(_chat, Priya, "changes.approve", About(id));

        var status = await StatusAsync(_admin, id);
        Assert.Equal("approved", status.GetProperty("status").GetString());
        Assert.Equal([James, Priya], status.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("who").GetString()));
    }

    [Fact]
    public async Task RejectWithoutACommentIsRefusedWithAFormErrorAndWithOneItIsRecorded()
    {
        var id = await SubmitAsync(_admin, Change(Grace));

        var pressed = (await ActAsync(_chat, Daniel, "changes.reject", About(id)))[0];
        Assert.Equal("changes.reject", pressed.GetProperty("form").GetProperty("submit").GetProperty("id").GetString());
        Assert.Empty(pressed.GetProperty("form").GetProperty("errors").EnumerateObject());

        var empty = (await ActAsync(_chat, Daniel, "changes.reject", About(id, ("comment", "  "))))[0];
        Assert.Equal("A comment is required to reject a change.", empty.GetProperty("form").GetProperty("errors").GetProperty("comment").GetString());
        Assert.Equal("pending", (await StatusAsync(_admin, id)).GetProperty("status").GetString());

        await ActAsync(_chat, Daniel, "changes.reject", About(id, ("comment", "No rollback test on record.")));

        var status = await StatusAsync(_admin, id);
        Assert.Equal("rejected", status.GetProperty("status").GetString());
        Assert.Equal("No rollback test on record.", status.GetProperty("decisions")[0].GetProperty("comment").GetString());
        Assert.Contains("was rejected", (await CardAsync(_chat, Grace, id)).GetProperty("text").GetString());
    }

    [Fact]
    public async Task ClickingApproveTwiceRecordsOneDecision()
    {
        var id = await SubmitAsync(_admin, Change(Grace, "high"));

        await ActAsync(_chat, Daniel, "changes.approve", About(id));
        var again = await ActAsync(_chat, Daniel, "changes.approve", About(id));

        Assert.Contains("already decided", again[0].GetProperty("text").GetString());
        Assert.Single((await StatusAsync(_admin, id)).GetProperty("decisions").EnumerateArray());
    }

    [Fact]
    public async Task ApproversClickingAtOnceGiveOneDecisionEachOneFinalStatusAndOneCallback()
    {
        await using var sink = await CallbackSink.StartAsync();
        var id = await SubmitAsync(_admin, Change(Grace, "high", callbackUrl: sink.Url));

        // Manager and two advisory members, each double-clicking, all at once.
        var clicks = new[] { Daniel, James, Priya, Daniel, James, Priya }
            .Select(user => ActAsync(app.CreateClient(), user, "changes.approve", About(id)));
        await Task.WhenAll(clicks);

        var status = await StatusAsync(_admin, id);
        Assert.Equal("approved", status.GetProperty("status").GetString());
        var who = status.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("who").GetString()).ToList();
        Assert.Equal(who.Distinct().Count(), who.Count);
        Assert.Contains(Daniel, who);
        Assert.InRange(who.Count, 2, 3);

        var callback = await sink.First.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(id, callback.GetProperty("id").GetInt32());
        Assert.Equal("approved", callback.GetProperty("status").GetString());
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        Assert.Equal(1, sink.Calls);
        Assert.Equal(1, await BotApplication.Db(scope).Outbox.CountAsync(m => m.Key == $"change:{id}:callback"));
        var db = BotApplication.Db(scope);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Subject == $"change:{id}" && e.Action == "change.approved"));
        Assert.Equal(who.Count, await db.AuditEvents.CountAsync(e => e.Subject == $"change:{id}" && e.Action == "change.approved_by"));
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None)).Ok);
    }

    [Fact]
    public async Task ApprovalsListsMyPendingApprovalsWithTheirButtons()
    {
        var first = await SubmitAsync(_admin, Change(Grace));
        var second = await SubmitAsync(_admin, Change(Grace, "low"));
        await ActAsync(_chat, Daniel, "changes.approve", About(first));

        var list = (await SayAsync(_chat, Daniel, "approvals"))[0];

        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.DoesNotContain(items, i => i.GetProperty("text").GetString()!.StartsWith($"#{first} ", StringComparison.Ordinal));
        var item = Assert.Single(items, i => i.GetProperty("text").GetString()!.StartsWith($"#{second} ", StringComparison.Ordinal));
        Assert.Contains("changes.approve", item.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        var omar = (await SayAsync(_chat, Omar, "my approvals"))[0];
        Assert.Equal("No changes are waiting for your approval.", omar.GetProperty("text").GetString());
    }

    [Fact]
    public async Task EachPersonSeesTheirOwnViewOfTheCard()
    {
        var id = await SubmitAsync(_admin, Change(Grace));

        var manager = (await ActAsync(_chat, Daniel, "changes.view", About(id)))[0];
        var advisory = (await ActAsync(_chat, Priya, "changes.view", About(id)))[0];
        var stranger = (await ActAsync(_chat, Omar, "changes.view", About(id)))[0];
        var requester = (await ActAsync(_chat, Grace, "changes.view", About(id)))[0];

        Assert.Equal(["changes.approve", "changes.reject"], ActionIds(manager));
        Assert.Empty(ActionIds(advisory));
        Assert.Contains("You are not an approver", advisory.GetProperty("text").GetString());
        // Someone with no part in the change and no role does not see it at all (reads are authorised like writes).
        Assert.Empty(ActionIds(stranger));
        Assert.Equal("I couldn't find that change.", stranger.GetProperty("text").GetString());
        Assert.Empty(ActionIds(requester));
        Assert.Contains("You requested this change", requester.GetProperty("text").GetString());
    }

    [Fact]
    public async Task NewChangeFromChatIsAFormThatShowsErrorsAndThenRoutesTheCard()
    {
        var form = (await SayAsync(_chat, Grace, "new change"))[0].GetProperty("form");
        Assert.Equal("changes.submit", form.GetProperty("submit").GetProperty("id").GetString());
        Assert.Contains("risk", form.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        var invalid = (await ActAsync(_chat, Grace, "changes.submit", new() { ["title"] = "Rotate Okta signing key", ["risk"] = "sort of" }))[0];
        var errors = invalid.GetProperty("form").GetProperty("errors");
        Assert.True(errors.TryGetProperty("risk", out _));
        Assert.True(errors.TryGetProperty("description", out _));
        Assert.Equal("Rotate Okta signing key", invalid.GetProperty("form").GetProperty("inputs")[0].GetProperty("value").GetString());

        var submitted = (await ActAsync(_chat, Grace, "changes.submit", new()
        {
            ["title"] = "Rotate Okta signing key",
            ["description"] = "Yearly rotation.",
            ["system"] = "Okta",
            ["risk"] = "low",
            ["links"] = "https://tickets.acme.example/OPS-7",
            ["rollbackPlan"] = "Re-activate the previous key.",
        }))[0];

        Assert.Contains("submitted", submitted.GetProperty("text").GetString());
        var title = submitted.GetProperty("title").GetString()!;
        Assert.Contains((await InboxAsync(_chat, Daniel)), r => r.GetProperty("title").GetString() == title);
    }

    [Fact]
    public async Task ACancelledChangeCannotBeApproved()
    {
        var id = await SubmitAsync(_admin, Change(Grace));

        var cancel = await _admin.PostAsync($"/api/changes/{id}/cancel", null);
        var replies = await ActAsync(_chat, Daniel, "changes.approve", About(id));

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Contains("already cancelled", replies[0].GetProperty("text").GetString());
        Assert.Equal("cancelled", (await StatusAsync(_admin, id)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await _admin.PostAsync($"/api/changes/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task TheAuditorExportListsChangesUnderCC81WithDecisionsAndRefusals()
    {
        var id = await SubmitAsync(_admin, Change(Grace, author: Omar));
        await ActAsync(_chat, Omar, "changes.approve", About(id));
        await ActAsync(_chat, Daniel, "changes.approve", About(id));

        var response = await _admin.GetAsync("/api/admin/export?period=2026-Q4");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        using var reader = new StreamReader(zip.GetEntry("criteria/CC8.1/changes.csv")!.Open());
        var lines = (await reader.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("change_id,title,system,risk,status", lines[0], StringComparison.Ordinal);
        var row = Assert.Single(lines, l => l.StartsWith($"{id},", StringComparison.Ordinal));
        Assert.Contains($"{Daniel} approved", row, StringComparison.Ordinal);
        Assert.Contains($"1 ({Omar})", row, StringComparison.Ordinal);
        Assert.NotNull(zip.GetEntry("changes.csv"));
    }
}
