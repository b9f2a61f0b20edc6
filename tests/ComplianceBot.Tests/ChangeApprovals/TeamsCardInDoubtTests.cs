using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Conversations;
using ComplianceBot.Outbox;
using ComplianceBot.Tests.Channels.Teams;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;

namespace ComplianceBot.Tests.ChangeApprovals;

/// <summary>
/// A host is SIGKILLed after the Bot Connector took an approval card and before the host saved "sent". The Bot Connector
/// takes no idempotency key and cannot be asked what a chat holds, so the next host cannot tell; but the approver's
/// click names the message it came from (replyToId) and echoes the card's data, which carries the delivery key: that
/// proves the card arrived, so it ends sent once and updated once.
/// The kill is reproduced by putting the row back into the state the dead host left: in flight on Teams, leased.
/// </summary>
public sealed class TeamsCardInDoubtTests
{
    private static string Mri(string email) => "29:" + email.Split('@')[0];

    private static string Aad(string email) => "aad-" + email.Split('@')[0];

    private static string Conversation(string email) => $"a:personal-{Aad(email)}";

    [Fact]
    public async Task AnUnconfirmedCardIsConfirmedSentWhenItsApproverClicksItAndIsUpdatedWithOnePut()
    {
        using var app = new TeamsApplication();
        var (id, messageId, approve) = await SubmitToDanielAsync(app);
        await LeaveInFlightAsync(app, id, leaseRunning: false);

        var recovery = await NewHost(app).DispatchDueAsync(default);

        Assert.Equal(1, recovery.Unconfirmed);
        Assert.Equal(OutboxStatus.Unconfirmed, (await CardRowAsync(app, id)).Status);
        Assert.Single(app.Connector.Calls, c => c.Method == "POST" && c.Path == $"/v3/conversations/{Conversation(Daniel)}/activities" && CardText(c).Contains($"Change #{id}", StringComparison.Ordinal));

        var before = app.Connector.Calls.Count;
        await ClickAsync(app, approve, messageId);
        await NewHost(app).DispatchDueAsync(default);

        var row = await CardRowAsync(app, id);
        Assert.Equal((OutboxStatus.Sent, messageId), (row.Status, row.SentMessageId));
        Assert.Single(app.Connector.Calls.Skip(before), c => c.Method == "PUT" && c.Path == $"/v3/conversations/{Conversation(Daniel)}/activities/{messageId}");
        Assert.DoesNotContain(app.Connector.Calls.Skip(before), c => c.Method == "POST" && c.Path == $"/v3/conversations/{Conversation(Daniel)}/activities");
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Subject == $"change:{id}" && e.Action == "change.card.sent" && e.Data.Contains("recipient acted on it")));
        Assert.True(await db.Outbox.AnyAsync(m => m.Key == row.Key + ":alert:resolved" && m.Payload.Contains("Delivery confirmed")));
    }

    [Fact]
    public async Task ACardClickedWhileItsDeadHostStillHoldsTheLeaseEndsSentWithoutDoubtAndOnePut()
    {
        using var app = new TeamsApplication();
        var (id, messageId, approve) = await SubmitToDanielAsync(app);
        await LeaveInFlightAsync(app, id, leaseRunning: true);

        var before = app.Connector.Calls.Count;
        await ClickAsync(app, approve, messageId);
        app.Clock.Advance(app.Services.GetRequiredService<IOptions<OutboxOptions>>().Value.Lease + TimeSpan.FromSeconds(1));
        var recovery = await NewHost(app).DispatchDueAsync(default);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await NewHost(app).DispatchDueAsync(default);

        Assert.Equal(0, recovery.Unconfirmed);
        var row = await CardRowAsync(app, id);
        Assert.Equal((OutboxStatus.Sent, messageId), (row.Status, row.SentMessageId));
        Assert.Single(app.Connector.Calls.Skip(before), c => c.Method == "PUT" && c.Path == $"/v3/conversations/{Conversation(Daniel)}/activities/{messageId}");
        Assert.DoesNotContain(app.Connector.Calls.Skip(before), c => c.Method == "POST" && c.Path == $"/v3/conversations/{Conversation(Daniel)}/activities");
        await using var scope = app.Scope();
        Assert.False(await BotApplication.Db(scope).Outbox.AnyAsync(m => m.Status == OutboxStatus.Unconfirmed));
    }

    [Fact]
    public async Task AnApprovalFromAnotherMessageOrByAnotherPersonDoesNotConfirmACardInDoubt()
    {
        using var app = new TeamsApplication();
        var (id, messageId, approve) = await SubmitToDanielAsync(app);
        Assert.Equal($"change:{id}:card:", ((string)approve[TeamsDeliveryKeys.DataKey]!)[..$"change:{id}:card:".Length]);
        await LeaveInFlightAsync(app, id, leaseRunning: false);
        await NewHost(app).DispatchDueAsync(default);

        // Grace replays Daniel's button (refused: she requested it), then Daniel approves from his "approvals" list.
        await ClickAsync(app, approve, messageId, Grace);
        await ClickAsync(app, new JsonObject { ["change"] = $"{id}" }, "1:the-approvals-list");

        Assert.Equal(OutboxStatus.Unconfirmed, (await CardRowAsync(app, id)).Status);
        Assert.Equal("approved", await StatusAsync(app, id));
    }

    private static async Task<(int Id, string MessageId, JsonObject Approve)> SubmitToDanielAsync(TeamsApplication app)
    {
        foreach (var (email, name) in new[] { (Grace, "Grace Liu"), (Daniel, "Daniel Levi") })
        {
            app.AddMember(Mri(email), Aad(email), email, name);
            Assert.Equal(HttpStatusCode.OK, (await app.PostAsync(TeamsActivities.Message(app.Connector.ServiceUrl, "hi", Mri(email), Aad(email)))).StatusCode);
        }

        var before = app.Connector.Calls.Count;
        var id = await SubmitAsync(app.CreateAdminClient(), Change(Grace, "medium"));
        var row = await CardRowAsync(app, id);
        Assert.Equal(OutboxStatus.Sent, row.Status);
        var card = app.Connector.Calls.Skip(before).Single(c => c.Method == "POST" && c.Path == $"/v3/conversations/{Conversation(Daniel)}/activities");
        return (id, row.SentMessageId!, TeamsCards.ActionData(TeamsCards.Card(card), "changes.approve"));
    }

    /// <summary>What a SIGKILL between the connector's answer and the save leaves: the attempt recorded, nothing sent.</summary>
    private static async Task LeaveInFlightAsync(TeamsApplication app, int id, bool leaseRunning)
    {
        await using var scope = app.Scope();
        var now = app.Clock.GetUtcNow();
        var lease = leaseRunning ? now + TimeSpan.FromSeconds(5) : now - TimeSpan.FromSeconds(1);
        var key = (await CardRowAsync(app, id)).Key;
        await BotApplication.Db(scope).Outbox.Where(m => m.Key == key).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, OutboxStatus.Pending)
            .SetProperty(m => m.Attempts, 0)
            .SetProperty(m => m.AttemptStartedAt, now)
            .SetProperty(m => m.AttemptChannel, ChannelKind.Teams)
            .SetProperty(m => m.SentAt, (DateTimeOffset?)null)
            .SetProperty(m => m.SentChannel, (ChannelKind?)null)
            .SetProperty(m => m.SentConversationId, (string?)null)
            .SetProperty(m => m.SentMessageId, (string?)null)
            .SetProperty(m => m.LeaseOwner, "a-host-that-was-killed")
            .SetProperty(m => m.LeaseUntil, lease));
    }

    /// <summary>The click reaches another host, which never saw the approver: it knows them by their linked account only.</summary>
    private static async Task ClickAsync(TeamsApplication app, JsonObject data, string messageId, string who = Daniel)
    {
        using var other = app.SecondHost();
        var click = TeamsActivities.CardAction(app.Connector.ServiceUrl, "changes.approve", data.DeepClone().AsObject(), Mri(who), Aad(who), messageId);
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync(click)).StatusCode);
    }

    private static async Task<string> StatusAsync(TeamsApplication app, int id) =>
        (await app.CreateAdminClient().GetFromJsonAsync<JsonElement>($"/api/changes/{id}")).GetProperty("status").GetString()!;

    private static async Task<OutboxMessage> CardRowAsync(TeamsApplication app, int id)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var daniel = await db.People.SingleAsync(p => p.Email == Daniel);
        return await db.Outbox.AsNoTracking().SingleAsync(m => m.Key == $"change:{id}:card:{daniel.Id}");
    }

    private static string CardText(RecordedCall call) => call.Body?.ToJsonString() ?? "";

    /// <summary>Another host on the same database (its own lease owner id).</summary>
    private static OutboxDispatcher NewHost(TeamsApplication app) => ActivatorUtilities.CreateInstance<OutboxDispatcher>(app.Services);
}
