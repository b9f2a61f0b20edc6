using System.Text.Json;
using ComplianceBot.AccessReviews;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>Escalate = ask a chosen person a question about an account; their answer comes back to the reviewer, who decides.</summary>
public sealed class AccessReviewEscalationTests
{
    private const string Aisha = "aisha.khan@acme.example";
    private const string Priya = "priya.nair@acme.example";

    private static async Task<(BotApplication App, ReviewChat Chat, int Id)> Q4ReviewAsync()
    {
        var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        return (app, chat, id);
    }

    private static JsonElement Labeled(JsonElement item, string label) =>
        item.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("label").GetString() == label);

    private static string Error(JsonElement reply, string input) =>
        reply.GetProperty("form").GetProperty("errors").TryGetProperty(input, out var error) ? error.GetString()! : "";

    [Fact]
    public async Task TheReviewerAsksAChosenPersonAndDecidesWithTheirAnswer()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await chat.StartAsync(Aisha, id);

        // The form suggests the system owner's manager and asks for the question.
        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "ci-bot"), "access.escalate"));
        var inputs = form.GetProperty("form").GetProperty("inputs");
        Assert.Equal(["person", "question"], inputs.EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList());
        Assert.Equal(Priya, inputs[0].GetProperty("value").GetString());

        // Unknown, herself, a leaver and an empty question are refused on the form, and nothing is asked.
        var refused = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["person"] = "nobody@acme.example", ["question"] = " " });
        Assert.Contains("couldn't find nobody@acme.example", Error(refused, "person"));
        Assert.Contains("Write the question", Error(refused, "question"));
        refused = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["person"] = "Aisha Khan", ["question"] = "What is ci-bot?" });
        Assert.Contains("can't escalate ci-bot to yourself", Error(refused, "person"));
        refused = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["person"] = "ethan.brooks@acme.example", ["question"] = "What is ci-bot?" });
        Assert.Contains("Ethan Brooks has left", Error(refused, "person"));
        Assert.Equal("What is ci-bot?", refused.GetProperty("form").GetProperty("inputs")[1].GetProperty("value").GetString());

        // Asked by name (any case): the account stays on her page, escalated, with the question.
        page = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["person"] = "priya nair", ["question"] = "Is ci-bot the deploy user of the platform team?" });
        Assert.StartsWith("ci-bot: asked Priya Nair. Their answer comes back to you here", ReviewChat.Text(page));
        Assert.Equal("escalated (asked Priya Nair: Is ci-bot the deploy user of the platform team?)", ReviewChat.Field(ReviewChat.Item(page, "ci-bot"), "Decision"));

        // Priya gets the account's card with the question; she cannot decide it herself, only advise.
        var question = (await chat.InboxAsync(Priya)).Last(m => ReviewChat.Text(m.GetProperty("reply")).Contains("asks you about ci-bot", StringComparison.Ordinal)).GetProperty("reply");
        Assert.Contains("“Is ci-bot the deploy user of the platform team?”", ReviewChat.Text(question));
        var card = ReviewChat.Item(question, "ci-bot");
        Assert.Contains("unmatched", ReviewChat.Field(card, "Flags"));
        Assert.False(ReviewChat.HasButton(card, "access.keep"));
        Assert.Contains("is not yours to decide", ReviewChat.Text(await chat.ClickAsync(Priya, ReviewChat.Button(ReviewChat.Item(page, "ci-bot"), "access.keep"))));

        // She answers in words (an empty answer is refused on the form).
        var answerForm = await chat.ClickAsync(Priya, Labeled(card, "Answer…"));
        var empty = await chat.SubmitAsync(Priya, answerForm, new Dictionary<string, string> { ["answer"] = "" });
        Assert.Contains("Write your answer", Error(empty, "answer"));
        var thanks = await chat.SubmitAsync(Priya, answerForm, new Dictionary<string, string> { ["answer"] = "Yes, it is the CI deploy user; keep it" });
        Assert.Equal("Thank you: your answer about ci-bot is with Aisha Khan, who decides on it.", ReviewChat.Text(thanks));
        Assert.Contains("already answered", ReviewChat.Text(await chat.ClickAsync(Priya, ReviewChat.Button(card, "access.answer"))));

        // The answer comes back to Aisha as a DM with the account's buttons, and on the account; she decides.
        var back = (await chat.InboxAsync(Aisha)).Last().GetProperty("reply");
        Assert.StartsWith("Priya Nair: Yes, it is the CI deploy user; keep it\nThat is the answer to your question about ci-bot", ReviewChat.Text(back));
        Assert.Contains("It is back with you to decide", ReviewChat.Text(back));
        Assert.Equal("undecided — Priya Nair: Yes, it is the CI deploy user; keep it", ReviewChat.Field(ReviewChat.Item(back, "ci-bot"), "Decision"));
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(back, "ci-bot"), "access.keep"));
        Assert.StartsWith("ci-bot: keep.", ReviewChat.Text(page));

        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var escalation = await db.AccessReviewEscalations.Include(e => e.AskedOf).SingleAsync();
        Assert.Equal((Priya, (AccessDecision?)null, "Yes, it is the CI deploy user; keep it"), (escalation.AskedOf!.Email, escalation.Recommendation, escalation.Answer));
        var answered = await db.AuditEvents.SingleAsync(e => e.Action == "access-review.escalation-answered");
        Assert.Equal(Priya, answered.Actor);
        Assert.Contains("Is ci-bot the deploy user", answered.Data);
        var item = await db.AccessReviewItems.Include(i => i.DecidedBy).SingleAsync(i => i.ReviewId == id && i.AccountId == "ci-bot");
        Assert.Equal((AccessDecision.Keep, Aisha), (item.Decision, item.DecidedBy!.Email));

        // The report shows the auditor what the decision rested on: the question, who asked whom, and the answer.
        var report = System.Text.Encoding.UTF8.GetString(await chat.Admin.GetByteArrayAsync($"/api/admin/access-reviews/{id}/report"));
        var header = report.Split('\n').First(l => l.StartsWith("account_id,", StringComparison.Ordinal));
        Assert.Contains(",owner,escalations,", header);
        var row = report.Split('\n').Single(l => l.StartsWith("ci-bot,", StringComparison.Ordinal));
        Assert.Matches($"{Aisha} asked {Priya} \\d{{4}}-\\d{{2}}-\\d{{2}}T[0-9:]+Z: Is ci-bot the deploy user of the platform team\\? → {Priya}: Yes, it is the CI deploy user; keep it \\d{{4}}-", row);
    }

    [Fact]
    public async Task ARevokeRecommendationNeedsAReasonAndTheHolderCannotBeAsked()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await chat.StartAsync(Aisha, id);

        // Nina holds nina-p: she is not asked about her own access.
        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.escalate"));
        var refused = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["person"] = "nina.patel@acme.example", ["question"] = "Do you need finance?" });
        Assert.Contains("Nina Patel holds nina-p", Error(refused, "person"));

        await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["person"] = Priya, ["question"] = "Does Nina need the finance team?" });
        var question = (await chat.InboxAsync(Priya)).Last(m => ReviewChat.Text(m.GetProperty("reply")).Contains("asks you about nina-p", StringComparison.Ordinal)).GetProperty("reply");
        var revoke = await chat.ClickAsync(Priya, Labeled(ReviewChat.Item(question, "nina-p"), "Revoke…"));
        Assert.Contains("Say why", Error(await chat.SubmitAsync(Priya, revoke, new Dictionary<string, string> { ["answer"] = " " }), "answer"));
        await chat.SubmitAsync(Priya, revoke, new Dictionary<string, string> { ["answer"] = "She moved to sales in November" });

        // The recommendation is advice: the account is undecided until Aisha decides, and sign-off waits for it.
        page = await chat.StartAsync(Aisha, id);
        Assert.Equal("undecided — Priya Nair: She moved to sales in November (recommends revoke)", ReviewChat.Field(ReviewChat.Item(page, "nina-p"), "Decision"));
        await using var scope = app.Scope();
        var item = await BotApplication.Db(scope).AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "nina-p");
        Assert.Equal(AccessDecision.Pending, item.Decision);
        Assert.Equal("Revoke", (await BotApplication.Db(scope).AccessReviewEscalations.SingleAsync()).Recommendation.ToString());
    }
}
