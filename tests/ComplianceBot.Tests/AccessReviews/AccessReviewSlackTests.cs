using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.AccessReviews;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Evidence;
using ComplianceBot.Tests.Channels.Slack;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>A whole quarterly review inside Slack, through the fake Web API and signed interactivity requests.</summary>
public sealed class AccessReviewSlackTests
{
    private const string AishaId = "UAISHA";
    private const string PriyaId = "UPRIYA";
    private const string KevinId = "UKEVIN";

    private SlackPerson _slack = null!;

    [Fact]
    public async Task AReviewIsCompletedInsideSlackFromTheDirectMessageToTheEvidenceFile()
    {
        await using var bot = new SlackBot();
        _slack = new SlackPerson(bot);
        bot.Slack.Users[AishaId] = ("aisha.khan@acme.example", "Aisha Khan");
        bot.Slack.Users[PriyaId] = ("priya.nair@acme.example", "Priya Nair");
        bot.Slack.Users[KevinId] = ("kevin.osei@acme.example", "Kevin Osei");
        var chat = new ReviewChat(bot.App);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var before = bot.Slack.Calls.Count;
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        // Import → a DM found by email, with Start.
        var dmCall = await _slack.NextAsync(before, "chat.postMessage", c => c.Arg("channel") == "D" + AishaId && (c.Arg("text") ?? "").Contains("Q4 access review", StringComparison.Ordinal));
        var dm = new SlackPerson.Message(dmCall, "D" + AishaId, "1800000000.000001");
        Assert.Contains("Q4 access review for GitHub: 8 accounts — 2 new, 4 flagged. Due 15 Jan.", dm.Text);

        // Start → the first page as a new message: flagged first, progress, every account's buttons; within Slack's limits.
        var page = await _slack.ClickAsync(AishaId, dm, dm.Find(AccessReviewFlow.StartAction), "chat.postMessage");
        Assert.Contains("0/8 decided", page.Text);
        Assert.True(page.Call.Args["blocks"]!.AsArray().Count <= SlackRenderer.MaxMessageBlocks);
        Assert.StartsWith("arjun-m", page.Buttons().First(b => b.Item is not null && SlackRenderer.FlowActionId(b.ActionId) == AccessReviewFlow.KeepAction).Item);

        // block_actions decisions update the page in place.
        page = await _slack.ClickAsync(AishaId, page, page.Find(AccessReviewFlow.KeepAction, "arjun-m"));
        Assert.Contains("1/8 decided", page.Text);
        page = await _slack.ClickAsync(AishaId, page, page.Find(AccessReviewFlow.KeepAction, "ci-bot"));
        Assert.Contains("2/8 decided", page.Text);

        // Revoke opens a modal; a missing reason is refused with response_action: errors, then a reason records it.
        var modal = await _slack.ClickAsync(AishaId, page, page.Find(AccessReviewFlow.RevokeAction, "ethan-b"), "views.open");
        Assert.Equal("modal", (string?)modal.Call.Args["view"]!["type"]);
        var refused = await _slack.SubmitAsync(AishaId, modal, AccessReviewFlow.ReasonInput, " ");
        Assert.Equal("errors", refused.GetProperty("response_action").GetString());
        Assert.True(refused.GetProperty("errors").TryGetProperty(AccessReviewFlow.ReasonInput, out _));
        before = bot.Slack.Calls.Count;
        var accepted = await _slack.SubmitAsync(AishaId, modal, AccessReviewFlow.ReasonInput, "Left the company in October");
        Assert.Equal(JsonValueKind.Undefined, accepted.ValueKind);
        var updated = await _slack.NextAsync(before, "chat.update", c => c.Arg("channel") == page.Channel && c.Arg("ts") == page.Ts);
        page = new SlackPerson.Message(updated, page.Channel, page.Ts);
        Assert.Contains("3/8 decided", page.Text);

        // Bulk keep (confirmed in Slack's own dialog) and the last account.
        var confirmation = await _slack.ClickAsync(AishaId, page, page.Find(AccessReviewFlow.KeepAllAction));
        Assert.Contains("Keep these 3 accounts?", confirmation.Text);
        page = await _slack.ClickAsync(AishaId, confirmation, confirmation.Find(AccessReviewFlow.KeepAllAction));
        Assert.Contains("6/8 decided", page.Text);
        page = await _slack.ClickAsync(AishaId, page, page.Find(AccessReviewFlow.KeepAction, "nina-p"));
        Assert.Contains("7/8 decided", page.Text);

        // Her own account is her manager's, from his own DM.
        var priyaDm = new SlackPerson.Message(await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "D" + PriyaId && (c.Arg("text") ?? "").Contains("2026-Q4", StringComparison.Ordinal)), "D" + PriyaId, "1800000000.000002");
        var priyaPage = await _slack.ClickAsync(PriyaId, priyaDm, priyaDm.Find(AccessReviewFlow.StartAction), "chat.postMessage");
        var ownKeep = priyaPage.Find(AccessReviewFlow.KeepAction, "aisha-k");
        var selfRefused = await _slack.ClickAsync(AishaId, page, ownKeep);
        Assert.Contains("your own account", selfRefused.Text);
        priyaPage = await _slack.ClickAsync(PriyaId, priyaPage, ownKeep);
        Assert.Contains("8/8 decided", priyaPage.Text);

        // Sign-off from a fresh page, then the admin confirms the revocation in a modal.
        var fresh = await _slack.ClickAsync(AishaId, dm, dm.Find(AccessReviewFlow.StartAction), "chat.postMessage");
        var signed = await _slack.ClickAsync(AishaId, fresh, fresh.Find(AccessReviewFlow.SignOffAction));
        Assert.Contains("Signed off: I reviewed every account of GitHub for 2026-Q4", signed.Text);

        var kevinDm = new SlackPerson.Message(await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "D" + KevinId && (c.Arg("text") ?? "").Contains("2026-Q4", StringComparison.Ordinal)), "D" + KevinId, "1800000000.000003");
        var revocations = await _slack.ClickAsync(KevinId, kevinDm, kevinDm.Find(AccessReviewFlow.RevocationsAction));
        var confirm = await _slack.ClickAsync(KevinId, revocations, revocations.Find(AccessReviewFlow.ConfirmRevocationAction, "ethan-b"), "views.open");
        Assert.Equal("errors", (await _slack.SubmitAsync(KevinId, confirm, AccessReviewFlow.NoteInput, "")).GetProperty("response_action").GetString());
        before = bot.Slack.Calls.Count;
        await _slack.SubmitAsync(KevinId, confirm, AccessReviewFlow.NoteInput, "Removed from the org, IT-4410");
        var done = await _slack.NextAsync(before, "chat.update", c => c.Arg("channel") == "D" + KevinId);
        Assert.Contains("is complete", done.Arg("text"));

        // The evidence file is in the store under the hash recorded on the review and the AC-01 task.
        await using var scope = bot.App.Scope();
        var db = BotApplication.Db(scope);
        var review = await db.AccessReviews.SingleAsync(r => r.Id == id);
        Assert.Equal(AccessReviewStatus.Completed, review.Status);
        var evidence = await db.EvidenceItems.SingleAsync(e => e.TaskId == review.TaskId);
        Assert.Equal(review.ReportSha256, evidence.Sha256);
        Assert.Equal(ComplianceBot.Conversations.ChannelKind.Slack, evidence.Channel);
        Assert.True(await scope.ServiceProvider.GetRequiredService<IEvidenceStore>().ExistsAsync(evidence.Sha256, CancellationToken.None));
        Assert.Equal(5, await db.AuditEvents.CountAsync(e => e.Subject == "access-review:GitHub/2026-Q4" && e.Action == "access-review.decided"));
    }

    [Fact]
    public async Task EscalateInSlackAsksTheChosenPersonInAModalAndTheirAnswerComesBackAsADirectMessage()
    {
        await using var bot = new SlackBot();
        _slack = new SlackPerson(bot);
        bot.Slack.Users[AishaId] = ("aisha.khan@acme.example", "Aisha Khan");
        bot.Slack.Users[PriyaId] = ("priya.nair@acme.example", "Priya Nair");
        var chat = new ReviewChat(bot.App);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var before = bot.Slack.Calls.Count;
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        var dmCall = await _slack.NextAsync(before, "chat.postMessage", c => c.Arg("channel") == "D" + AishaId && (c.Arg("text") ?? "").Contains("Q4 access review", StringComparison.Ordinal));
        var dm = new SlackPerson.Message(dmCall, "D" + AishaId, "1800000000.000001");
        var page = await _slack.ClickAsync(AishaId, dm, dm.Find(AccessReviewFlow.StartAction), "chat.postMessage");

        // Escalate opens a modal: whom to ask (a directory picker) and the question; asking herself is refused in the modal.
        var modal = await _slack.ClickAsync(AishaId, page, page.Find(AccessReviewFlow.EscalateAction, "ci-bot"), "views.open");
        var blocks = modal.Call.Args["view"]!["blocks"]!.AsArray();
        Assert.Contains(blocks, b => (string?)b!["block_id"] == AccessReviewFlow.PersonInput);
        Assert.Contains(blocks, b => (string?)b!["block_id"] == AccessReviewFlow.QuestionInput);
        var refused = await _slack.SubmitAsync(AishaId, modal, new Dictionary<string, JsonObject>
        {
            [AccessReviewFlow.PersonInput] = SlackPayloads.Selected("aisha.khan@acme.example"),
            [AccessReviewFlow.QuestionInput] = SlackPayloads.Typed("What is ci-bot?"),
        });
        Assert.Equal("errors", refused.GetProperty("response_action").GetString());
        Assert.Contains("yourself", refused.GetProperty("errors").GetProperty(AccessReviewFlow.PersonInput).GetString());

        before = bot.Slack.Calls.Count;
        await _slack.SubmitAsync(AishaId, modal, new Dictionary<string, JsonObject>
        {
            [AccessReviewFlow.PersonInput] = SlackPayloads.Selected("priya.nair@acme.example"),
            [AccessReviewFlow.QuestionInput] = SlackPayloads.Typed("Is ci-bot the platform deploy user?"),
        });
        var updated = await _slack.NextAsync(before, "chat.update", c => c.Arg("channel") == page.Channel && c.Arg("ts") == page.Ts);
        Assert.Contains("ci-bot: asked Priya Nair.", updated.Arg("text"));

        // Priya's DM: the question with the account's card; "Keep" records her recommendation in place.
        var askedCall = await _slack.NextAsync(before, "chat.postMessage", c => c.Arg("channel") == "D" + PriyaId && (c.Arg("text") ?? "").Contains("asks you about ci-bot", StringComparison.Ordinal));
        var asked = new SlackPerson.Message(askedCall, "D" + PriyaId, "1800000000.000009");
        Assert.Contains("Is ci-bot the platform deploy user?", askedCall.Args["blocks"]!.ToJsonString());
        before = bot.Slack.Calls.Count;
        var thanks = await _slack.ClickAsync(PriyaId, asked, asked.Find(AccessReviewFlow.AnswerAction, "ci-bot"));
        Assert.Contains("your answer about ci-bot is with Aisha Khan", thanks.Text);

        // Aisha hears the answer in a DM with the account's buttons and keeps it from there.
        var answerCall = await _slack.NextAsync(before, "chat.postMessage", c => c.Arg("channel") == "D" + AishaId && (c.Arg("text") ?? "").Contains("Priya Nair: recommends keep", StringComparison.Ordinal));
        var answer = new SlackPerson.Message(answerCall, "D" + AishaId, "1800000000.000010");
        var kept = await _slack.ClickAsync(AishaId, answer, answer.Find(AccessReviewFlow.KeepAction, "ci-bot"));
        Assert.Contains("ci-bot: keep.", kept.Text);

        await using var scope = bot.App.Scope();
        var db = BotApplication.Db(scope);
        var item = await db.AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "ci-bot");
        Assert.Equal(AccessDecision.Keep, item.Decision);
        Assert.Equal(AccessDecision.Keep, (await db.AccessReviewEscalations.SingleAsync()).Recommendation);
    }
}
