using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.AccessReviews;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Evidence;
using ComplianceBot.Tests.Channels.Slack;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>A whole quarterly review inside Slack, through the fake Web API and signed interactivity requests.</summary>
public sealed class AccessReviewSlackTests
{
    private const string AishaId = "UAISHA";
    private const string PriyaId = "UPRIYA";
    private const string KevinId = "UKEVIN";

    private int _trigger;

    /// <summary>A button as Slack sends it back: its action_id and value, and the text of the item it sits under.</summary>
    private sealed record Button(string ActionId, string Value, string? Item, bool Confirms);

    /// <summary>A message the bot posted or updated, and the ts our clicks say they came from.</summary>
    private sealed record Message(SlackCall Call, string Channel, string Ts)
    {
        public string Text => Call.Arg("text") ?? "";

        public List<Button> Buttons()
        {
            var buttons = new List<Button>();
            string? item = null;
            foreach (var block in Call.Args["blocks"]!.AsArray())
            {
                var type = (string?)block!["type"];
                if (type == "section" && block["text"]?["text"] is { } text)
                {
                    item = (string?)text;
                }

                IEnumerable<JsonNode?> elements = type == "actions" ? block["elements"]!.AsArray() : block["accessory"] is { } accessory ? [accessory] : [];
                buttons.AddRange(elements.Where(e => (string?)e!["type"] == "button").Select(e => new Button((string)e!["action_id"]!, (string?)e["value"] ?? "", item, e["confirm"] is not null)));
            }

            return buttons;
        }

        public Button Find(string flowActionId, string? account = null) =>
            Buttons().First(b => SlackRenderer.FlowActionId(b.ActionId) == flowActionId && (account is null || (b.Item?.StartsWith(account + " ", StringComparison.Ordinal) ?? false)));

        public bool Has(string flowActionId) => Buttons().Any(b => SlackRenderer.FlowActionId(b.ActionId) == flowActionId);
    }

    private static JsonObject BlockAction(string user, string channel, string ts, Button button, string triggerId) => new()
    {
        ["type"] = "block_actions",
        ["team"] = new JsonObject { ["id"] = FakeSlack.TeamId },
        ["user"] = new JsonObject { ["id"] = user },
        ["api_app_id"] = "A0TEST",
        ["trigger_id"] = triggerId,
        ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = ts, ["channel_id"] = channel, ["is_ephemeral"] = false },
        ["channel"] = new JsonObject { ["id"] = channel },
        ["response_url"] = "https://hooks.slack.com/actions/T/1/x",
        ["actions"] = new JsonArray(new JsonObject { ["type"] = "button", ["action_id"] = button.ActionId, ["block_id"] = "b1", ["value"] = button.Value, ["action_ts"] = "1796392801.1" }),
    };

    private static JsonObject Submission(string user, JsonNode view, string inputId, string? typed) => new()
    {
        ["type"] = "view_submission",
        ["team"] = new JsonObject { ["id"] = FakeSlack.TeamId },
        ["user"] = new JsonObject { ["id"] = user },
        ["view"] = new JsonObject
        {
            ["id"] = "V123",
            ["type"] = "modal",
            ["callback_id"] = (string)view["callback_id"]!,
            ["private_metadata"] = (string)view["private_metadata"]!,
            ["hash"] = "156772938.1827394",
            ["state"] = new JsonObject { ["values"] = new JsonObject { [inputId] = new JsonObject { [SlackRenderer.InputActionId] = new JsonObject { ["type"] = "plain_text_input", ["value"] = typed } } } },
        },
    };

    /// <summary>Waits for the bot's next <paramref name="method"/> call after <paramref name="after"/> calls, matching <paramref name="match"/>.</summary>
    private static Task<SlackCall> NextAsync(SlackBot bot, int after, string method, Func<SlackCall, bool> match) =>
        bot.Slack.WaitForAsync(c => c.Method == method && match(c) && IndexOf(bot, c) >= after);

    private static int IndexOf(SlackBot bot, SlackCall call)
    {
        var calls = bot.Slack.Calls;
        for (var i = 0; i < calls.Count; i++)
        {
            if (ReferenceEquals(calls[i], call))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Clicks a button; the answer is the message it updated (or the new message / modal the bot sent).</summary>
    private async Task<Message> ClickAsync(SlackBot bot, string user, Message on, Button button, string method = "chat.update")
    {
        var before = bot.Slack.Calls.Count;
        var trigger = $"trigger-{++_trigger}";
        var response = await bot.PostInteractionAsync(BlockAction(user, on.Channel, on.Ts, button, trigger));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = await NextAsync(bot, before, method, c => method == "views.open" ? c.Arg("trigger_id") == trigger : c.Arg("channel") == on.Channel);
        return new Message(call, on.Channel, method == "chat.update" ? on.Ts : $"1800000000.{_trigger:D6}");
    }

    private static async Task<JsonElement> SubmitAsync(SlackBot bot, string user, Message modal, string inputId, string? typed)
    {
        var response = await bot.PostInteractionAsync(Submission(user, modal.Call.Args["view"]!, inputId, typed));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task AReviewIsCompletedInsideSlackFromTheDirectMessageToTheEvidenceFile()
    {
        await using var bot = new SlackBot();
        bot.Slack.Users[AishaId] = ("aisha.khan@acme.example", "Aisha Khan");
        bot.Slack.Users[PriyaId] = ("priya.nair@acme.example", "Priya Nair");
        bot.Slack.Users[KevinId] = ("kevin.osei@acme.example", "Kevin Osei");
        var chat = new ReviewChat(bot.App);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var before = bot.Slack.Calls.Count;
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        // Import → a DM found by email, with Start.
        var dmCall = await NextAsync(bot, before, "chat.postMessage", c => c.Arg("channel") == "D" + AishaId && (c.Arg("text") ?? "").Contains("Q4 access review", StringComparison.Ordinal));
        var dm = new Message(dmCall, "D" + AishaId, "1800000000.000001");
        Assert.Contains("Q4 access review for GitHub: 8 accounts — 2 new, 4 flagged. Due 15 Jan.", dm.Text);

        // Start → the first page as a new message: flagged first, progress, every account's buttons; within Slack's limits.
        var page = await ClickAsync(bot, AishaId, dm, dm.Find(AccessReviewFlow.StartAction), "chat.postMessage");
        Assert.Contains("0/8 decided", page.Text);
        Assert.True(page.Call.Args["blocks"]!.AsArray().Count <= SlackRenderer.MaxMessageBlocks);
        Assert.StartsWith("arjun-m", page.Buttons().First(b => b.Item is not null && SlackRenderer.FlowActionId(b.ActionId) == AccessReviewFlow.KeepAction).Item);

        // block_actions decisions update the page in place.
        page = await ClickAsync(bot, AishaId, page, page.Find(AccessReviewFlow.KeepAction, "arjun-m"));
        Assert.Contains("1/8 decided", page.Text);
        page = await ClickAsync(bot, AishaId, page, page.Find(AccessReviewFlow.KeepAction, "ci-bot"));
        Assert.Contains("2/8 decided", page.Text);

        // Revoke opens a modal; a missing reason is refused with response_action: errors, then a reason records it.
        var modal = await ClickAsync(bot, AishaId, page, page.Find(AccessReviewFlow.RevokeAction, "ethan-b"), "views.open");
        Assert.Equal("modal", (string?)modal.Call.Args["view"]!["type"]);
        var refused = await SubmitAsync(bot, AishaId, modal, AccessReviewFlow.ReasonInput, " ");
        Assert.Equal("errors", refused.GetProperty("response_action").GetString());
        Assert.True(refused.GetProperty("errors").TryGetProperty(AccessReviewFlow.ReasonInput, out _));
        before = bot.Slack.Calls.Count;
        var accepted = await SubmitAsync(bot, AishaId, modal, AccessReviewFlow.ReasonInput, "Left the company in October");
        Assert.Equal(JsonValueKind.Undefined, accepted.ValueKind);
        var updated = await NextAsync(bot, before, "chat.update", c => c.Arg("channel") == page.Channel && c.Arg("ts") == page.Ts);
        page = new Message(updated, page.Channel, page.Ts);
        Assert.Contains("3/8 decided", page.Text);

        // Bulk keep (confirmed in Slack's own dialog) and the last account.
        Assert.True(page.Find(AccessReviewFlow.KeepAllAction).Confirms);
        page = await ClickAsync(bot, AishaId, page, page.Find(AccessReviewFlow.KeepAllAction));
        Assert.Contains("6/8 decided", page.Text);
        page = await ClickAsync(bot, AishaId, page, page.Find(AccessReviewFlow.KeepAction, "nina-p"));
        Assert.Contains("7/8 decided", page.Text);

        // Her own account is her manager's, from his own DM.
        var priyaDm = new Message(await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "D" + PriyaId && (c.Arg("text") ?? "").Contains("2026-Q4", StringComparison.Ordinal)), "D" + PriyaId, "1800000000.000002");
        var priyaPage = await ClickAsync(bot, PriyaId, priyaDm, priyaDm.Find(AccessReviewFlow.StartAction), "chat.postMessage");
        var ownKeep = priyaPage.Find(AccessReviewFlow.KeepAction, "aisha-k");
        var selfRefused = await ClickAsync(bot, AishaId, page, ownKeep);
        Assert.Contains("your own account", selfRefused.Text);
        priyaPage = await ClickAsync(bot, PriyaId, priyaPage, ownKeep);
        Assert.Contains("8/8 decided", priyaPage.Text);

        // Sign-off from a fresh page, then the admin confirms the revocation in a modal.
        var fresh = await ClickAsync(bot, AishaId, dm, dm.Find(AccessReviewFlow.StartAction), "chat.postMessage");
        var signed = await ClickAsync(bot, AishaId, fresh, fresh.Find(AccessReviewFlow.SignOffAction));
        Assert.Contains("Signed off: I reviewed every account of GitHub for 2026-Q4", signed.Text);

        var kevinDm = new Message(await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "D" + KevinId && (c.Arg("text") ?? "").Contains("2026-Q4", StringComparison.Ordinal)), "D" + KevinId, "1800000000.000003");
        var revocations = await ClickAsync(bot, KevinId, kevinDm, kevinDm.Find(AccessReviewFlow.RevocationsAction));
        var confirm = await ClickAsync(bot, KevinId, revocations, revocations.Find(AccessReviewFlow.ConfirmRevocationAction, "ethan-b"), "views.open");
        Assert.Equal("errors", (await SubmitAsync(bot, KevinId, confirm, AccessReviewFlow.NoteInput, "")).GetProperty("response_action").GetString());
        before = bot.Slack.Calls.Count;
        await SubmitAsync(bot, KevinId, confirm, AccessReviewFlow.NoteInput, "Removed from the org, IT-4410");
        var done = await NextAsync(bot, before, "chat.update", c => c.Arg("channel") == "D" + KevinId);
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
}
