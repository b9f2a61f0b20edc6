using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.AccessReviews;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.Tests.Channels.Slack;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>"Who is this?" on an unmatched account's card: an alias or a mark, said by the reviewer, remembered next quarter.</summary>
public sealed class AccessReviewIdentifyTests
{
    private const string Aisha = "aisha.khan@acme.example";
    private const string Priya = "priya.nair@acme.example";

    // Q4 plus two accounts the import cannot match: Priya's second login and a deploy user.
    private const string GitHubQ4Unmatched = ReviewChat.GitHubQ4 + "\npn-admin,P Nair (admin),,admin,2026-11-21,platform\ndeploy-user,Deploy,,member,2026-11-30,";

    private static async Task<(BotApplication App, ReviewChat Chat, int Id)> Q4ReviewAsync()
    {
        var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", GitHubQ4Unmatched);
        return (app, chat, id);
    }

    private static string Error(JsonElement reply, string input) =>
        reply.GetProperty("form").GetProperty("errors").TryGetProperty(input, out var error) ? error.GetString()! : "";

    [Fact]
    public async Task TheReviewerSaysWhoAnUnmatchedAccountIsAndTheNextQuarterRemembers()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await chat.StartAsync(Aisha, id);

        // Only accounts matched to nobody offer "Who is this?".
        Assert.True(ReviewChat.HasButton(ReviewChat.Item(page, "pn-admin"), AccessReviewFlow.IdentifyAction));
        Assert.False(ReviewChat.HasButton(ReviewChat.Item(page, "liam-w"), AccessReviewFlow.IdentifyAction));
        Assert.Contains("unmatched", ReviewChat.Field(ReviewChat.Item(page, "pn-admin"), "Flags"));

        // A person's own account: Priya's second login. An unknown name is refused on the form and nothing is saved.
        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "pn-admin"), AccessReviewFlow.IdentifyAction));
        Assert.Equal(["kind", "person", "note"], form.GetProperty("form").GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList());
        var refused = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["kind"] = "person", ["person"] = "nobody@acme.example" });
        Assert.Contains("couldn't find nobody@acme.example", Error(refused, "person"));
        page = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["kind"] = "person", ["person"] = "Priya Nair" });
        Assert.StartsWith("pn-admin is Priya Nair's: remembered for later GitHub reviews.", ReviewChat.Text(page));
        var card = ReviewChat.Item(page, "pn-admin");
        Assert.DoesNotContain("unmatched", ReviewChat.Field(card, "Flags"));
        Assert.False(ReviewChat.HasButton(card, AccessReviewFlow.IdentifyAction));

        // A service account with its owner and a note.
        form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "deploy-user"), AccessReviewFlow.IdentifyAction));
        page = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["kind"] = "service account", ["person"] = Priya, ["note"] = "deploys the web app" });
        Assert.StartsWith("deploy-user is marked service account, owned by Priya Nair: no longer unmatched", ReviewChat.Text(page));
        Assert.Equal("service account", ReviewChat.Field(ReviewChat.Item(page, "deploy-user"), "Marked"));

        // Next quarter's import knows both without anyone saying it again.
        var next = await chat.ImportAsync("GitHub", "2027-Q1", GitHubQ4Unmatched);
        var items = (await chat.ReviewAsync(next)).GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("accountId").GetString()!);
        Assert.Equal(("alias", Priya), (items["pn-admin"].GetProperty("matchedBy").GetString(), items["pn-admin"].GetProperty("person").GetString()));
        Assert.Equal("service account", items["deploy-user"].GetProperty("mark").GetString());
        Assert.DoesNotContain("unmatched", items["deploy-user"].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        // Both are attributable: the audit trail names Aisha, who said it.
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var said = await db.AuditEvents.Where(e => e.Action == "access-review.account-aliased" || e.Action == "access-review.account-marked").ToListAsync();
        Assert.Equal(2, said.Count);
        Assert.All(said, e => Assert.Equal(Aisha, e.Actor));
        Assert.Equal("deploys the web app", (await db.Set<AccountMark>().SingleAsync()).Note);
    }

    [Fact]
    public async Task SayingAnAccountIsTheReviewersOwnSendsItToSomeoneElse()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await chat.StartAsync(Aisha, id);

        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "pn-admin"), AccessReviewFlow.IdentifyAction));
        page = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["kind"] = "person", ["person"] = Aisha });

        Assert.Contains("It is your own account, so someone else decides it.", ReviewChat.Text(page));
        Assert.DoesNotContain(page.GetProperty("items").EnumerateArray(), i => i.GetProperty("text").GetString()!.StartsWith("pn-admin", StringComparison.Ordinal));
        await using var scope = app.Scope();
        var item = await BotApplication.Db(scope).AccessReviewItems.Include(i => i.Assignee).SingleAsync(i => i.ReviewId == id && i.AccountId == "pn-admin");
        Assert.True(item.Flags.HasFlag(AccountFlags.Self));
        Assert.NotEqual(Aisha, item.Assignee!.Email);
    }

    [Fact]
    public async Task AMatchedDecidedOrOtherPersonsAccountCannotBeRepointed()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await chat.StartAsync(Aisha, id);
        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "deploy-user"), AccessReviewFlow.IdentifyAction));
        var forge = (JsonElement reply, long itemId) =>
        {
            // The same submit, aimed at another item: what a crafted request would send.
            var node = JsonNode.Parse(reply.GetRawText())!;
            node["form"]!["submit"]!["data"]!["item"] = itemId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return JsonSerializer.Deserialize<JsonElement>(node.ToJsonString());
        };

        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var liam = await db.AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "liam-w");
            var reply = await chat.SubmitAsync(Aisha, forge(form, liam.Id), new Dictionary<string, string> { ["kind"] = "person", ["person"] = Priya });
            Assert.Contains("liam-w is already matched to a person (email)", ReviewChat.Text(reply));

            // Someone the account is not with cannot say who it is.
            reply = await chat.SubmitAsync(Priya, form, new Dictionary<string, string> { ["kind"] = "person", ["person"] = Priya });
            Assert.Equal("I couldn't find that account any more.", ReviewChat.Text(reply));
        }

        // Once decided, the account's identity is settled for this review.
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "deploy-user"), AccessReviewFlow.KeepAction));
        Assert.False(ReviewChat.HasButton(ReviewChat.Item(page, "deploy-user"), AccessReviewFlow.IdentifyAction));
        var late = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["kind"] = "shared", ["person"] = Priya });
        Assert.Contains("deploy-user is already decided", ReviewChat.Text(late));

        await using var check = app.Scope();
        var checkDb = BotApplication.Db(check);
        Assert.Equal(0, await checkDb.Set<AccountAlias>().CountAsync());
        Assert.Equal(0, await checkDb.Set<AccountMark>().CountAsync());
    }

    [Fact]
    public async Task InSlackWhoIsThisOpensAModalAndUpdatesThePage()
    {
        const string AishaId = "UAISHA";
        await using var bot = new SlackBot();
        var slack = new SlackPerson(bot);
        bot.Slack.Users[AishaId] = (Aisha, "Aisha Khan");
        bot.Slack.Users["UPRIYA"] = (Priya, "Priya Nair");
        var chat = new ReviewChat(bot.App);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var before = bot.Slack.Calls.Count;
        await chat.ImportAsync("GitHub", "2026-Q4", GitHubQ4Unmatched);
        var dmCall = await slack.NextAsync(before, "chat.postMessage", c => c.Arg("channel") == "D" + AishaId && (c.Arg("text") ?? "").Contains("Q4 access review", StringComparison.Ordinal));
        var dm = new SlackPerson.Message(dmCall, "D" + AishaId, "1800000000.000001");
        var page = await slack.ClickAsync(AishaId, dm, dm.Find(AccessReviewFlow.StartAction), "chat.postMessage");

        var modal = await slack.ClickAsync(AishaId, page, page.Find(AccessReviewFlow.IdentifyAction, "deploy-user"), "views.open");
        var blocks = modal.Call.Args["view"]!["blocks"]!.AsArray();
        Assert.Contains(blocks, b => (string?)b!["block_id"] == AccessReviewFlow.KindInput);
        Assert.Contains(blocks, b => (string?)b!["block_id"] == AccessReviewFlow.PersonInput);

        before = bot.Slack.Calls.Count;
        await slack.SubmitAsync(AishaId, modal, new Dictionary<string, JsonObject>
        {
            [AccessReviewFlow.KindInput] = SlackPayloads.Selected("service account"),
            [AccessReviewFlow.PersonInput] = SlackPayloads.Selected(Priya),
            [AccessReviewFlow.NoteInput] = SlackPayloads.Typed(null),
        });
        var updated = await slack.NextAsync(before, "chat.update", c => c.Arg("channel") == page.Channel && c.Arg("ts") == page.Ts);
        Assert.Contains("deploy-user is marked service account, owned by Priya Nair", updated.Arg("text"));
    }
}
