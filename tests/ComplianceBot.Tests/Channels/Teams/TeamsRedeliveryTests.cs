using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ComplianceBot.AccessReviews;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.AccessReviews;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;
using static ComplianceBot.Tests.Channels.Teams.TeamsCards;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>
/// The Bot Connector redelivers an activity (same id) when we answer slowly, and with two hosts on one database the
/// copy can land on the host that did not see the first. Nothing is written per activity to catch that; instead every
/// state-changing handler is idempotent. Each test runs two hosts on one SQLite file and delivers the same activity to
/// both: one after the other (the copy finds what the first recorded) and at once (the copies race to the database).
/// Either way exactly one record is written, and the copy's answer says it is already recorded.
/// </summary>
public sealed class TeamsRedeliveryTests
{
    private const string DanaMri = "29:dana-mri";
    private const string DanaAad = "aad-dana";
    private const string DanaEmail = "dana.reyes@acme.example";

    /// <summary>Two hosts on one database file and one Bot Connector, started one after the other (migrations, knowledge import).</summary>
    private sealed class TwoHosts : IAsyncDisposable
    {
        public TwoHosts()
        {
            _ = First.Services;
            Second = First.SecondHost();
            _ = Second.Services;
        }

        public TeamsApplication First { get; } = new();

        public TeamsApplication Second { get; }

        public string ServiceUrl => First.Connector.ServiceUrl;

        public void AddMember(string mri, string aad, string email, string name) => First.AddMember(mri, aad, email, name);

        /// <summary>
        /// Delivers one activity to both hosts: one after the other, or at once. Returns what each copy answered (the
        /// card of the invoke response: every handler here updates the card that was clicked), first host first.
        /// </summary>
        public async Task<string[]> DeliverToBothAsync(JsonObject activity, bool atOnce)
        {
            HttpResponseMessage[] responses = atOnce
                ? await Task.WhenAll(First.PostAsync(activity.DeepClone().AsObject()), Second.PostAsync(activity.DeepClone().AsObject()))
                : [await First.PostAsync(activity.DeepClone().AsObject()), await Second.PostAsync(activity.DeepClone().AsObject())];

            // EF logs the losing INSERT or UPDATE of a race as an error before we handle it; nothing else may fail.
            Assert.DoesNotContain(First.Logs.Entries.Concat(Second.Logs.Entries), l => l.Level >= LogLevel.Error && !l.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
            var answers = new List<string>();
            foreach (var response in responses)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.Equal(200, (int)body["statusCode"]!);
                answers.Add(Text(body["value"]!));
            }

            return [.. answers];
        }

        public async ValueTask DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
        }
    }

    /// <summary>One answer says what the first copy did, the other that it was already recorded.</summary>
    private static void AssertOneRecordedOneAlready(string[] answers, string recorded, string already)
    {
        Assert.Single(answers, a => a.Contains(recorded, StringComparison.Ordinal));
        Assert.Single(answers, a => a.Contains(already, StringComparison.Ordinal));
        Assert.DoesNotContain(answers, a => a.Contains("Sorry", StringComparison.Ordinal) || a.Contains("changed while", StringComparison.Ordinal) || a.Contains("changed after", StringComparison.Ordinal));
    }

    private static async Task<ControlTask> OpenTaskOfAsync(TeamsApplication app, string email, int skip)
    {
        await using var scope = app.Scope();
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        return await BotApplication.Db(scope).ControlTasks.AsNoTracking().Include(t => t.Control)
            .Where(t => t.Assignee!.Email == email && t.Status == ControlTaskStatus.Open && t.PeriodStart <= today)
            .OrderBy(t => t.Id).Skip(skip).FirstAsync();
    }

    /// <summary>Dana opens the attestation form of a task from a card (on this host) and fills it in; returns the submit invoke.</summary>
    private static async Task<JsonObject> AttestationSubmitAsync(TeamsApplication app, ControlTask task, string outcome = "Performed", string? notes = null)
    {
        var before = app.Connector.Activities.Count;
        var start = await app.PostAsync(TeamsActivities.CardAction(app.Connector.ServiceUrl, "attest.start",
            new JsonObject { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture) }, DanaMri, DanaAad, "1:1"));
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var form = Card(Assert.Single(app.Connector.Activities.Skip(before)));
        var data = ActionData(form, "attest.submit");
        data["statement"] = (string?)Input(form, "statement")["value"];
        data["outcome"] = outcome;
        data["notes"] = notes;
        return TeamsActivities.CardAction(app.Connector.ServiceUrl, "attest.submit", data, DanaMri, DanaAad, "1:2");
    }

    private static async Task<(int Attestations, int AuditEvents)> AttestationRecordsAsync(TeamsApplication app, ControlTask task)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        return (await db.Attestations.CountAsync(a => a.TaskId == task.Id),
            await db.AuditEvents.CountAsync(e => e.Subject == $"task:{task.Id}" && e.Action.StartsWith("attestation.")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AttestationSubmittedFromACardIsRecordedOnceWhenBothHostsGetIt(bool atOnce)
    {
        await using var hosts = new TwoHosts();
        hosts.AddMember(DanaMri, DanaAad, DanaEmail, "Dana Reyes");
        var task = await OpenTaskOfAsync(hosts.First, DanaEmail, skip: 0);
        var submit = await AttestationSubmitAsync(hosts.First, task);
        // The second host has served Dana before too: a cold host would lose every race by a second and only see the result.
        await AttestationSubmitAsync(hosts.Second, task);

        var answers = await hosts.DeliverToBothAsync(submit, atOnce);

        AssertOneRecordedOneAlready(answers, "Thank you — recorded", "already recorded");
        Assert.Equal((1, 1), await AttestationRecordsAsync(hosts.First, task));
        await using var scope = hosts.First.Scope();
        Assert.Equal(ControlTaskStatus.Completed, (await BotApplication.Db(scope).ControlTasks.SingleAsync(t => t.Id == task.Id)).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ACorrectionIsRecordedOnceWhenBothHostsGetIt(bool atOnce)
    {
        await using var hosts = new TwoHosts();
        hosts.AddMember(DanaMri, DanaAad, DanaEmail, "Dana Reyes");
        var task = await OpenTaskOfAsync(hosts.First, DanaEmail, skip: 1);
        await hosts.First.PostAsync(await AttestationSubmitAsync(hosts.First, task));
        var correction = await AttestationSubmitAsync(hosts.First, task, "PerformedWithExceptions", "Two reviews were late.");
        await AttestationSubmitAsync(hosts.Second, task);

        var answers = await hosts.DeliverToBothAsync(correction, atOnce);

        AssertOneRecordedOneAlready(answers, "Correction recorded", "already recorded");
        Assert.Equal((2, 2), await AttestationRecordsAsync(hosts.First, task));
    }

    [Fact]
    public async Task ACopyArrivingAfterALaterCorrectionDoesNotUndoIt()
    {
        await using var hosts = new TwoHosts();
        hosts.AddMember(DanaMri, DanaAad, DanaEmail, "Dana Reyes");
        var task = await OpenTaskOfAsync(hosts.First, DanaEmail, skip: 2);
        var submit = await AttestationSubmitAsync(hosts.First, task);
        await hosts.First.PostAsync(submit.DeepClone().AsObject());
        await hosts.First.PostAsync(await AttestationSubmitAsync(hosts.First, task, "NotPerformed", "The tool was down all quarter."));

        // The first submission again, late, on the other host: it was made against no attestation, and there is a newer one now.
        var before = hosts.First.Connector.Activities.Count;
        var response = await hosts.Second.PostAsync(submit.DeepClone().AsObject());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("changed after you opened the form", Text(Card(Assert.Single(hosts.First.Connector.Activities.Skip(before)))));
        Assert.Equal((2, 2), await AttestationRecordsAsync(hosts.First, task));
        await using var scope = hosts.First.Scope();
        Assert.Equal(ControlTaskStatus.NotPerformed, (await BotApplication.Db(scope).ControlTasks.SingleAsync(t => t.Id == task.Id)).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChangeApprovalIsOneDecisionWhenBothHostsGetIt(bool atOnce)
    {
        await using var hosts = new TwoHosts();
        foreach (var (email, name) in new[] { (Grace, "Grace Liu"), (Daniel, "Daniel Levi") })
        {
            var user = email.Split('@')[0];
            hosts.AddMember("29:" + user, "aad-" + user, email, name);
            foreach (var host in new[] { hosts.First, hosts.Second })
            {
                Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(TeamsActivities.Message(hosts.ServiceUrl, "hi", "29:" + user, "aad-" + user))).StatusCode);
            }
        }

        var id = await SubmitAsync(hosts.First.CreateAdminClient(), Change(Grace, "medium"));
        string messageId;
        await using (var scope = hosts.First.Scope())
        {
            var db = BotApplication.Db(scope);
            var daniel = await db.People.SingleAsync(p => p.Email == Daniel);
            messageId = (await db.Outbox.SingleAsync(m => m.Key == $"change:{id}:card:{daniel.Id}")).SentMessageId!;
        }

        var approve = TeamsActivities.CardAction(hosts.ServiceUrl, "changes.approve", new JsonObject { ["change"] = $"{id}" }, "29:daniel.levi", "aad-daniel.levi", messageId);

        var answers = await hosts.DeliverToBothAsync(approve, atOnce);

        AssertOneRecordedOneAlready(answers, "It is now approved", "your approval of change #" + id + " is already recorded");
        await using var check = hosts.First.Scope();
        var records = BotApplication.Db(check);
        Assert.Equal(1, await records.Set<ChangeDecision>().CountAsync(d => d.ChangeId == id));
        Assert.Equal(1, await records.AuditEvents.CountAsync(e => e.Subject == $"change:{id}" && e.Action == "change.approved_by"));
        Assert.Equal(1, await records.AuditEvents.CountAsync(e => e.Subject == $"change:{id}" && e.Action == "change.approved"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EvidenceFileSentIn1To1ChatMakesOneEvidenceRecordWhenBothHostsGetEverything(bool atOnce)
    {
        await using var hosts = new TwoHosts();
        hosts.AddMember(DanaMri, DanaAad, DanaEmail, "Dana Reyes");
        hosts.First.Connector.Files["access-export.csv"] = "user,access\nbob,admin\n"u8.ToArray();
        var file = TeamsActivities.Message(hosts.ServiceUrl, "", DanaMri, DanaAad);
        file["attachments"] = new JsonArray
        {
            new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.teams.file.download.info",
                ["name"] = "access-export.csv",
                ["content"] = new JsonObject { ["downloadUrl"] = $"{hosts.First.Connector.BaseUrl}/files/access-export.csv", ["uniqueId"] = "u-export", ["fileType"] = "csv" },
            },
        };

        // The file message itself: both hosts take the file in; it waits once, and the copy says it already has it.
        var before = hosts.First.Connector.Activities.Count;
        Assert.Equal(HttpStatusCode.OK, (await hosts.First.PostAsync(file.DeepClone().AsObject())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hosts.Second.PostAsync(file.DeepClone().AsObject())).StatusCode);
        var questions = hosts.First.Connector.Activities.Skip(before).Select(Card).ToList();
        Assert.Equal(2, questions.Count);
        Assert.Contains("I received access-export.csv", Text(questions[0]));
        Assert.Contains("I already have access-export.csv", Text(questions[1]));
        var data = ActionData(questions[1], "evidence.attach");
        var sha = ((string)data["files"]!).Split(',').Single();
        var choice = Input(questions[1], "task");
        data["task"] = (string?)choice["value"] ?? Choices(choice)[0];
        var attach = TeamsActivities.CardAction(hosts.ServiceUrl, "evidence.attach", data, DanaMri, DanaAad, "1:9");

        // Then the attach click.
        var answers = await hosts.DeliverToBothAsync(attach, atOnce);

        AssertOneRecordedOneAlready(answers, "access-export.csv: attached (SHA-256", "already attached");
        await using var scope = hosts.First.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(1, await db.EvidenceItems.CountAsync(e => e.Sha256 == sha));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "evidence.attached" && e.Data.Contains(sha)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AccessReviewKeepAndRevokeAreEachOneDecisionWhenBothHostsGetThem(bool atOnce)
    {
        const string aishaMri = "29:aisha-mri";
        const string aishaAad = "aad-aisha";
        await using var hosts = new TwoHosts();
        hosts.AddMember(aishaMri, aishaAad, "aisha.khan@acme.example", "Aisha Khan");
        var chat = new ReviewChat(hosts.First);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        var start = TeamsActivities.CardAction(hosts.ServiceUrl, "access.start", new JsonObject { ["review"] = $"{id}" }, aishaMri, aishaAad, "1:7");
        await hosts.Second.PostAsync(start.DeepClone().AsObject());
        var before = hosts.First.Connector.Activities.Count;
        await hosts.First.PostAsync(start);
        var page = Card(Assert.Single(hosts.First.Connector.Activities.Skip(before)));
        var keep = TeamsActivities.CardAction(hosts.ServiceUrl, "access.keep", ActionData(page, "access.keep", "liam-w"), aishaMri, aishaAad, "1:7");
        var revokeData = ActionData(page, "access.revoke", "ethan-b");
        revokeData["reason"] = "Left in October";
        var revoke = TeamsActivities.CardAction(hosts.ServiceUrl, "access.revoke-reason", revokeData, aishaMri, aishaAad, "1:7");

        var kept = await hosts.DeliverToBothAsync(keep, atOnce);
        var revoked = await hosts.DeliverToBothAsync(revoke, atOnce);

        AssertOneRecordedOneAlready(kept, "liam-w: keep.", "liam-w: keep is already recorded");
        AssertOneRecordedOneAlready(revoked, "ethan-b: revoke.", "ethan-b: revoke is already recorded");
        await using var scope = hosts.First.Scope();
        var db = BotApplication.Db(scope);
        var items = await db.AccessReviewItems.Where(i => i.ReviewId == id && (i.AccountId == "liam-w" || i.AccountId == "ethan-b")).ToDictionaryAsync(i => i.AccountId);
        Assert.Equal(AccessDecision.Keep, items["liam-w"].Decision);
        Assert.Equal(AccessDecision.Revoke, items["ethan-b"].Decision);
        Assert.Equal("Left in October", items["ethan-b"].Reason);
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Subject == "access-review:GitHub/2026-Q4" && e.Action == "access-review.decided"));
    }
}
