using System.Net;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Tests.Channels.Slack;
using Microsoft.EntityFrameworkCore;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;

namespace ComplianceBot.Tests.ChangeApprovals;

/// <summary>Change approvals end to end through Slack: POST /api/changes → DM card at the fake Web API → signed button clicks.</summary>
public sealed class SlackChangeApprovalTests
{
    private const string GraceId = "UGRACE";
    private const string DanielId = "UDANIEL";

    private static async Task<(SlackBot Bot, SlackPerson Slack, HttpClient Admin)> StartAsync()
    {
        var bot = new SlackBot();
        bot.Slack.Users[GraceId] = (Grace, "Grace Liu");
        bot.Slack.Users[DanielId] = (Daniel, "Daniel Levi");
        return (bot, new SlackPerson(bot), bot.App.CreateAdminClient());
    }

    /// <summary>Submits a change and returns it with the card the manager received in his Slack DM.</summary>
    private static async Task<(int Id, SlackPerson.Message Card)> SubmitAsync(SlackBot bot, SlackPerson slack, HttpClient admin, string risk = "medium")
    {
        var before = bot.Slack.Calls.Count;
        var id = await ChangeClient.SubmitAsync(admin, Change(Grace, risk));
        var call = await slack.NextAsync(before, "chat.postMessage", c => c.Arg("channel") == "D" + DanielId && (c.Arg("text") ?? "").Contains($"Change #{id}", StringComparison.Ordinal));
        return (id, new SlackPerson.Message(call, "D" + DanielId, $"1800000001.{id:D6}"));
    }

    [Fact]
    public async Task TheManagerApprovesFromTheSlackCardAndTheCardShowsTheDecision()
    {
        var (bot, slack, admin) = await StartAsync();
        await using var host = bot;
        var (id, card) = await SubmitAsync(bot, slack, admin);
        Assert.True(card.Has(ChangeApprovalFlow.ApproveAction));
        Assert.True(card.Has(ChangeApprovalFlow.RejectAction));

        var updated = await slack.ClickAsync(DanielId, card, card.Find(ChangeApprovalFlow.ApproveAction));

        Assert.Equal("approved", (await StatusAsync(admin, id)).GetProperty("status").GetString());
        Assert.Contains("pproved", updated.Text);
        Assert.False(updated.Has(ChangeApprovalFlow.ApproveAction));
        var decisions = (await StatusAsync(admin, id)).GetProperty("decisions").EnumerateArray().ToList();
        Assert.Equal(Daniel, Assert.Single(decisions).GetProperty("who").GetString());
    }

    [Fact]
    public async Task TheRequesterReplayingTheManagersApproveButtonIsRefusedAndAudited()
    {
        var (bot, slack, admin) = await StartAsync();
        await using var host = bot;
        var (id, card) = await SubmitAsync(bot, slack, admin);

        // Grace sends the manager's button payload as her own click from her own DM; the bot answers her there.
        var before = bot.Slack.Calls.Count;
        var response = await bot.PostInteractionAsync(SlackPerson.BlockAction(GraceId, "D" + GraceId, "1800000009.000001", card.Find(ChangeApprovalFlow.ApproveAction), "trigger-replay"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await slack.NextAsync(before, "chat.postMessage", c => c.Arg("channel") == "D" + GraceId);
        await using var scope = bot.App.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(Grace, (await db.AuditEvents.SingleAsync(e => e.Action == "change.decision_refused" && e.Subject == $"change:{id}")).Actor);
        Assert.Equal("pending", (await StatusAsync(admin, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RejectingWithoutACommentIsRefusedInTheModalThenRecordedWithOne()
    {
        var (bot, slack, admin) = await StartAsync();
        await using var host = bot;
        var (id, card) = await SubmitAsync(bot, slack, admin);

        var modal = await slack.ClickAsync(DanielId, card, card.Find(ChangeApprovalFlow.RejectAction), "views.open");
        var refused = await slack.SubmitAsync(DanielId, modal, ChangeApprovalFlow.CommentKey, "   ");
        Assert.Equal("errors", refused.GetProperty("response_action").GetString());
        Assert.True(refused.GetProperty("errors").TryGetProperty(ChangeApprovalFlow.CommentKey, out _));
        Assert.Equal("pending", (await StatusAsync(admin, id)).GetProperty("status").GetString());

        var before = bot.Slack.Calls.Count;
        await slack.SubmitAsync(DanielId, modal, ChangeApprovalFlow.CommentKey, "No rollback tested on production-like data.");

        // The decision replaces the card in his DM; by then it is recorded.
        await slack.NextAsync(before, "chat.update", c => c.Arg("channel") == "D" + DanielId);
        var status = await StatusAsync(admin, id);
        Assert.Equal("rejected", status.GetProperty("status").GetString());
        Assert.Equal("No rollback tested on production-like data.", status.GetProperty("decisions")[0].GetProperty("comment").GetString());
    }
}
