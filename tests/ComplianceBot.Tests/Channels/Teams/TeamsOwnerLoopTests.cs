using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ComplianceBot.Attestations;
using ComplianceBot.Conversations;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ComplianceBot.Tests.Channels.Teams.TeamsCards;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>The control-owner loop through Teams: a reminder card arrives proactively, Attest from it, the card shows the outcome.</summary>
public sealed class TeamsOwnerLoopTests : IClassFixture<TeamsApplication>
{
    private const string DanaMri = "29:dana-loop";
    private const string DanaAad = "aad-dana-loop";
    private readonly TeamsApplication _app;

    public TeamsOwnerLoopTests(TeamsApplication app)
    {
        _app = app;
        _app.AddMember(DanaMri, DanaAad, "dana.reyes@acme.example", "Dana Reyes");
    }

    /// <summary>The card the action produced: the invoke response when it replaces the card, else the message posted after it.</summary>
    private async Task<JsonNode> InvokeAsync(string verb, JsonObject data, string replyToId)
    {
        var before = _app.Connector.Activities.Count;
        var response = await _app.PostAsync(TeamsActivities.CardAction(_app.Connector.ServiceUrl, verb, data, DanaMri, DanaAad, replyToId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["value"] is JsonObject card ? card : Card(_app.Connector.Activities.Skip(before).Last());
    }

    [Fact]
    public async Task AReminderCardArrivesInTeamsAndAttestingFromItRecordsTheTeamsMessage()
    {
        Assert.Equal(HttpStatusCode.OK, (await _app.PostAsync(TeamsActivities.Message(_app.Connector.ServiceUrl, "hi", DanaMri, DanaAad))).StatusCode);
        ControlTask task;
        await using (var scope = _app.Scope())
        {
            var db = BotApplication.Db(scope);
            task = await db.ControlTasks.Include(t => t.Control)
                .Where(t => t.Assignee!.Email == "dana.reyes@acme.example" && t.Status == ControlTaskStatus.Open && t.Period == "2026-Q4").OrderBy(t => t.Id).FirstAsync();
            task.DueDate = new DateOnly(2026, 12, 1);
            await db.SaveChangesAsync();
        }

        var before = _app.Connector.Activities.Count;
        await _app.Services.GetRequiredService<ReminderSweep>().RunOnceAsync(default);

        var reminder = _app.Connector.Activities.Skip(before)
            .Select(Card)
            .Single(card => Text(card).Contains($"Reminder: {task.ControlId} ", StringComparison.Ordinal));
        var verbs = Actions(reminder).Select(n => (string?)n["verb"]).ToList();
        Assert.Contains(AttestationFlow.StartAction, verbs);
        Assert.Contains(ReminderFlow.NotMineAction, verbs);
        await using (var scope = _app.Scope())
        {
            var db = BotApplication.Db(scope);
            var row = await db.Reminders.SingleAsync(r => r.TaskId == task.Id && r.Status == ReminderStatus.Sent);
            Assert.Equal(ChannelKind.Teams, (await db.Outbox.SingleAsync(m => m.Key == row.DeliveryKey)).SentChannel);
        }

        var data = new JsonObject { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture) };
        var form = await InvokeAsync(AttestationFlow.StartAction, data, "1:900");
        Assert.Contains(Descendants(form), n => (string?)n["id"] == "statement");
        var invalid = await InvokeAsync(AttestationFlow.SubmitAction, new JsonObject { ["task"] = data["task"]!.DeepClone(), ["outcome"] = "NotPerformed", ["statement"] = "x" }, "1:900");
        Assert.Contains(Descendants(invalid), n => (string?)n["id"] == "notes-error");

        var done = await InvokeAsync(AttestationFlow.SubmitAction, new JsonObject
        {
            ["task"] = data["task"]!.DeepClone(),
            ["outcome"] = "Performed",
            ["statement"] = task.Control!.StatementFor(task.Period),
        }, "1:900");

        Assert.Contains("Thank you — recorded", Text(done));
        await using var check = _app.Scope();
        var attestation = await BotApplication.Db(check).Attestations.SingleAsync(a => a.TaskId == task.Id);
        Assert.Equal(ChannelKind.Teams, attestation.Channel);
        Assert.EndsWith(":1:900", attestation.MessageReference);
    }
}
