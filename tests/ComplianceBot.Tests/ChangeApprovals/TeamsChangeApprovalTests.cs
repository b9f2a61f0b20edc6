using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Tests.Channels.Teams;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;
using static ComplianceBot.Tests.Channels.Teams.TeamsCards;

namespace ComplianceBot.Tests.ChangeApprovals;

/// <summary>Change approvals end to end through Teams: POST /api/changes → card at the fake Bot Connector → Action.Execute on /api/messages.</summary>
public sealed class TeamsChangeApprovalTests : IClassFixture<TeamsApplication>
{
    private readonly TeamsApplication _app;
    private readonly HttpClient _admin;
    private static readonly (string Email, string Name)[] People = [(Grace, "Grace Liu"), (Daniel, "Daniel Levi"), (James, "James Okafor"), (Priya, "Priya Nair")];

    public TeamsChangeApprovalTests(TeamsApplication app)
    {
        _app = app;
        _admin = app.CreateAdminClient();
        foreach (var (email, name) in People)
        {
            app.AddMember(Mri(email), Aad(email), email, name);
        }
    }

    private string ServiceUrl => _app.Connector.ServiceUrl;

    private static string Mri(string email) => "29:" + email.Split('@')[0];

    private static string Aad(string email) => "aad-" + email.Split('@')[0];

    private static string Conversation(string email) => $"a:personal-{Aad(email)}";

    /// <summary>The card's buttons (the refresh action, also an Action.Execute, is not a button).</summary>
    private static List<string> Verbs(JsonNode card) =>
        [.. Actions(card).Select(n => (string)n["verb"]!).Where(v => v != ChangeApprovalFlow.ViewAction)];

    /// <summary>Each person opens the bot in Teams once, so it can reach them proactively.</summary>
    private async Task LinkAsync(params string[] emails)
    {
        foreach (var email in emails)
        {
            Assert.Equal(HttpStatusCode.OK, (await _app.PostAsync(TeamsActivities.Message(ServiceUrl, "hi", Mri(email), Aad(email)))).StatusCode);
        }
    }

    private async Task<(int Id, RecordedCall Card)> SubmitAsync(string requester, string risk, string approver)
    {
        var before = _app.Connector.Calls.Count;
        var id = await ChangeClient.SubmitAsync(_admin, Change(requester, risk));
        var call = _app.Connector.Calls.Skip(before).First(c => c.Method == "POST" && c.Path == $"/v3/conversations/{Conversation(approver)}/activities");
        return (id, call);
    }

    private async Task<string> MessageIdAsync(int change, string email)
    {
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var person = await db.People.SingleAsync(p => p.Email == email);
        return (await db.Outbox.SingleAsync(m => m.Key == $"change:{change}:card:{person.Id}")).SentMessageId!;
    }

    private async Task<JsonNode> InvokeAsync(string email, string verb, JsonObject data, string replyToId)
    {
        var response = await _app.PostAsync(TeamsActivities.CardAction(ServiceUrl, verb, data, Mri(email), Aad(email), replyToId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<string> StatusAsync(int id) =>
        (await _admin.GetFromJsonAsync<JsonElement>($"/api/changes/{id}")).GetProperty("status").GetString()!;

    [Fact]
    public async Task ManagerApprovesInTeamsAndTheInvokeAndTheBaseMessageShowTheDecision()
    {
        await LinkAsync(Grace, Daniel);
        var (id, sent) = await SubmitAsync(Grace, "medium", Daniel);
        var card = Card(sent);
        Assert.Equal(["changes.approve", "changes.reject"], Verbs(card));
        Assert.Equal(Mri(Daniel), (string?)card["refresh"]!["userIds"]![0]);
        Assert.Contains("🟡 MEDIUM", Text(card));
        var approve = ActionData(card, "changes.approve");
        var messageId = await MessageIdAsync(id, Daniel);

        var before = _app.Connector.Calls.Count;
        var body = await InvokeAsync(Daniel, "changes.approve", approve, messageId);

        Assert.Equal(200, (int)body["statusCode"]!);
        Assert.Contains("It is now approved", Text(body["value"]!));
        Assert.Empty(Verbs(body["value"]!));
        var puts = _app.Connector.Calls.Skip(before).Where(c => c.Method == "PUT" && c.Path == $"/v3/conversations/{Conversation(Daniel)}/activities/{messageId}").ToList();
        Assert.Single(puts); // one PUT per message: the click's own reply replaces this card, the outbox updates only the others
        Assert.All(puts, put => Assert.Contains("Approved by Daniel Levi", Text(Card(put))));
        Assert.Contains(_app.Connector.Calls.Skip(before), c => c.Method == "POST" && c.Path == $"/v3/conversations/{Conversation(Grace)}/activities" && Text(Card(c)).Contains("was approved", StringComparison.Ordinal));
        Assert.Equal("approved", await StatusAsync(id));
    }

    [Fact]
    public async Task TheRequesterReplayingTheManagersApproveActionInTeamsIsRefused()
    {
        await LinkAsync(Grace, Daniel);
        var (id, sent) = await SubmitAsync(Grace, "low", Daniel);
        var approve = ActionData(Card(sent), "changes.approve");

        var body = await InvokeAsync(Grace, "changes.approve", approve, await MessageIdAsync(id, Daniel));

        Assert.Equal(200, (int)body["statusCode"]!);
        Assert.Equal("pending", await StatusAsync(id));
        var notice = _app.Connector.Activities.Last(c => c.Path.StartsWith($"/v3/conversations/{Conversation(Grace)}/activities", StringComparison.Ordinal));
        Assert.Contains("segregation of duties", Text(Card(notice)));
        await using var scope = _app.Scope();
        Assert.True(await BotApplication.Db(scope).AuditEvents.AnyAsync(e => e.Subject == $"change:{id}" && e.Action == "change.decision_refused" && e.Actor == Grace));
    }

    [Fact]
    public async Task HighRiskInTeamsNeedsTheManagerAndAnAdvisoryMember()
    {
        await LinkAsync(Grace, Daniel, James, Priya);
        var (id, _) = await SubmitAsync(Grace, "high", James);
        var data = new JsonObject { ["change"] = $"{id}" };

        var first = await InvokeAsync(Daniel, "changes.approve", data, await MessageIdAsync(id, Daniel));
        Assert.Contains("still needs", Text(first["value"]!));
        Assert.Equal("pending", await StatusAsync(id));

        var second = await InvokeAsync(James, "changes.approve", data.DeepClone().AsObject(), await MessageIdAsync(id, James));

        Assert.Contains("It is now approved", Text(second["value"]!));
        Assert.Equal("approved", await StatusAsync(id));
    }

    [Fact]
    public async Task RejectInTeamsNeedsACommentAndTheErrorShowsUnderTheInput()
    {
        await LinkAsync(Grace, Daniel);
        var (id, _) = await SubmitAsync(Grace, "medium", Daniel);
        var messageId = await MessageIdAsync(id, Daniel);

        var pressed = await InvokeAsync(Daniel, "changes.reject", new JsonObject { ["change"] = $"{id}" }, messageId);
        Assert.Contains(Descendants(pressed["value"]!), n => (string?)n["id"] == "comment");

        var empty = await InvokeAsync(Daniel, "changes.reject", new JsonObject { ["change"] = $"{id}", ["comment"] = "" }, messageId);
        Assert.Contains(Descendants(empty["value"]!), n => (string?)n["id"] == "comment-error" && (string?)n["text"] == "A comment is required to reject a change.");
        Assert.Equal("pending", await StatusAsync(id));

        var done = await InvokeAsync(Daniel, "changes.reject", new JsonObject { ["change"] = $"{id}", ["comment"] = "Window clashes with the freeze." }, messageId);

        Assert.Contains("You rejected change", Text(done["value"]!));
        Assert.Equal("rejected", await StatusAsync(id));
    }

    [Fact]
    public async Task AnAutomaticRefreshShowsAStrangerThatTheyAreNotAnApprover()
    {
        await LinkAsync(Grace, Daniel, Priya);
        var (id, _) = await SubmitAsync(Grace, "medium", Daniel);

        var response = await _app.PostAsync(TeamsActivities.CardAction(ServiceUrl, "changes.view", new JsonObject { ["change"] = $"{id}" }, Mri(Priya), Aad(Priya), "1:1", trigger: "automatic"));

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("You are not an approver", Text(body["value"]!));
        Assert.Empty(Verbs(body["value"]!));
    }
}
