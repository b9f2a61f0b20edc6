using System.Text.Json;
using ComplianceBot.AccessReviews;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>Issue #18: a deferred account does not block sign-off; it carries to a follow-up with a due date.</summary>
public sealed class AccessReviewFollowUpTests
{
    private const string Aisha = "aisha.khan@acme.example";
    private const string Priya = "priya.nair@acme.example";
    private const string Kevin = "kevin.osei@acme.example";

    // Signed off on the test clock's 27 Nov 2026; the follow-up is due 14 days later.
    private const string FollowUpDue = "11 Dec 2026";

    private static async Task<(BotApplication App, ReviewChat Chat, int Id)> Q4ReviewAsync()
    {
        var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        return (app, chat, id);
    }

    /// <summary>Keeps every account but nina-p, which Aisha defers; her manager keeps her own account. Answers with the page before sign-off.</summary>
    private static async Task<JsonElement> DecideAllButNinaAsync(ReviewChat chat, int id)
    {
        var page = await chat.StartAsync(Aisha, id);
        page = await chat.KeepAllAsync(Aisha, page);
        foreach (var account in new[] { "arjun-m", "ci-bot", "ethan-b" })
        {
            page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, account), "access.keep"));
        }

        await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.defer"));
        var manager = await chat.StartAsync(Priya, id);
        await chat.ClickAsync(Priya, ReviewChat.Button(ReviewChat.Item(manager, "aisha-k"), "access.keep"));
        return await chat.StartAsync(Aisha, id);
    }

    private static async Task<JsonElement> SignOffWithNinaDeferredAsync(ReviewChat chat, int id) =>
        await chat.ClickAsync(Aisha, ReviewChat.Button(await DecideAllButNinaAsync(chat, id), "access.sign-off"));

    [Fact]
    public async Task SignOffWithADeferredAccountSucceedsAndSaysTheFollowUpDueDate()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await DecideAllButNinaAsync(chat, id);
        Assert.StartsWith("7/8 decided", ReviewChat.Text(page));

        var signOff = ReviewChat.Button(page, "access.sign-off");
        Assert.Equal(
            $"I reviewed every account of GitHub for 2026-Q4 (8 accounts): 7 kept, 0 to be revoked, 1 deferred to a follow-up due {FollowUpDue}. " +
            "I confirm these decisions are correct and final, and that the deferred accounts are decided on the follow-up.",
            signOff.GetProperty("confirm").GetString());
        page = await chat.ClickAsync(Aisha, signOff);

        Assert.StartsWith("Signed off: I reviewed every account", ReviewChat.Text(page));
        Assert.Contains($"1 deferred account is to decide by {FollowUpDue}; the review completes when they are decided.", ReviewChat.Text(page));
        Assert.Contains($"Signed off 27 Nov 2026; 1 deferred account to decide by {FollowUpDue}.", ReviewChat.Text(page));
        var review = await chat.ReviewAsync(id);
        Assert.Equal("SignedOff", review.GetProperty("status").GetString());
        Assert.Equal("2026-12-11", review.GetProperty("followUpDue").GetString());

        // Only the deferred account has buttons, and only Keep and Revoke.
        Assert.Equal(["access.keep", "access.revoke"], ReviewChat.Item(page, "nina-p").GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList());
        Assert.Empty(ReviewChat.Item(page, "liam-w").GetProperty("actions").EnumerateArray());
        Assert.False(ReviewChat.HasButton(page, "access.sign-off"));

        // The review stays on her list while the follow-up is open.
        var list = await chat.SayAsync(Aisha, "access reviews");
        Assert.Contains($"GitHub — 2026-Q4: signed off; 1 deferred account to decide by {FollowUpDue}",
            list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("text").GetString()));

        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var stored = await db.AccessReviews.SingleAsync(r => r.Id == id);
        Assert.Equal(new DateOnly(2026, 12, 11), stored.FollowUpDue);
        Assert.Equal(["nina-p"], await db.AccessReviewItems.Where(i => i.ReviewId == id && i.DeferredAtSignOff).Select(i => i.AccountId).ToListAsync());
    }

    [Fact]
    public async Task TheFollowUpKeepCompletesTheReviewAndTheReportShowsBothFacts()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await SignOffWithNinaDeferredAsync(chat, id);
        app.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));

        page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.keep"));

        Assert.StartsWith("nina-p: keep (on the follow-up). That was the last open item: the GitHub review for 2026-Q4 is complete", ReviewChat.Text(page));
        var review = await chat.ReviewAsync(id);
        Assert.Equal("Completed", review.GetProperty("status").GetString());
        var report = System.Text.Encoding.UTF8.GetString(await chat.Admin.GetByteArrayAsync($"/api/admin/access-reviews/{id}/report"));
        Assert.Contains(",deferred_at_sign_off,follow_up", report);
        var nina = report.Split('\n').Single(l => l.StartsWith("nina-p,", StringComparison.Ordinal));
        Assert.Contains(",keep,,aisha.khan@acme.example,2026-12-03T10:00:00Z,", nina);
        Assert.EndsWith(",yes,kept on follow-up 3 Dec 2026 (deferred at sign-off 27 Nov 2026)", nina.TrimEnd('\r'));
        Assert.Contains("# Deferred at sign-off: 1, follow-up due 2026-12-11; kept on follow-up: 1; revoked on follow-up: 0; still deferred: 0", report);

        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var decided = await db.AuditEvents.SingleAsync(e => e.Action == "access-review.follow-up-decided");
        Assert.Equal(Aisha, decided.Actor);
        Assert.Contains("\"decision\":\"Keep\"", decided.Data);
        Assert.Contains("\"deferred_at_sign_off\":\"2026-11-27", decided.Data);
        Assert.Single(await db.AuditEvents.Where(e => e.Action == "access-review.completed").ToListAsync());
        Assert.True(await db.EvidenceItems.AnyAsync(e => e.Sha256 == review.GetProperty("reportSha256").GetString()));
    }

    [Fact]
    public async Task AFollowUpRevokeGoesToTheSystemAdminAndCompletionWaitsForItsConfirmation()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await SignOffWithNinaDeferredAsync(chat, id);

        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.revoke"));
        page = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["reason"] = "Moved to finance; no longer needs GitHub" });

        Assert.StartsWith("nina-p: revoke (on the follow-up). Kevin Osei has it to carry out by 2 Dec.", ReviewChat.Text(page));
        Assert.Equal("SignedOff", (await chat.ReviewAsync(id)).GetProperty("status").GetString());
        var notice = (await chat.InboxAsync(Kevin)).Last().GetProperty("reply");
        Assert.Contains("Aisha Khan revoked nina-p on the follow-up", ReviewChat.Text(notice));
        await using (var scope = app.Scope())
        {
            // Its own ladder: the sign-off's may have run its course by the time a follow-up revokes.
            var subject = AccessReviewReminders.FollowUpRevocationsSubject(id, new DateOnly(2026, 12, 2));
            Assert.Contains(await BotApplication.Db(scope).Reminders.Where(r => r.Subject == subject).Select(r => r.Step).ToListAsync(), s => s == ReminderLadder.DueStep);
        }

        var revocations = await chat.ClickAsync(Kevin, ReviewChat.Button(notice, "access.revocations"));
        var noteForm = await chat.ClickAsync(Kevin, ReviewChat.Button(ReviewChat.Item(revocations, "nina-p"), "access.revoked"));
        revocations = await chat.SubmitAsync(Kevin, noteForm, new Dictionary<string, string> { ["note"] = "Removed from the org, IT-4500" });

        Assert.Contains("the GitHub review for 2026-Q4 is complete", ReviewChat.Text(revocations));
        Assert.Equal("Completed", (await chat.ReviewAsync(id)).GetProperty("status").GetString());
        var report = System.Text.Encoding.UTF8.GetString(await chat.Admin.GetByteArrayAsync($"/api/admin/access-reviews/{id}/report"));
        var nina = report.Split('\n').Single(l => l.StartsWith("nina-p,", StringComparison.Ordinal));
        Assert.Contains("Removed from the org, IT-4500", nina);
        Assert.EndsWith(",yes,revoked on follow-up 27 Nov 2026 (deferred at sign-off 27 Nov 2026)", nina.TrimEnd('\r'));
    }

    [Fact]
    public async Task ConfirmingTheSignOffsRevocationsDoesNotCompleteTheReviewWhileAFollowUpIsOpen()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await chat.StartAsync(Aisha, id);
        page = await chat.KeepAllAsync(Aisha, page);
        foreach (var account in new[] { "arjun-m", "ci-bot" })
        {
            page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, account), "access.keep"));
        }

        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "ethan-b"), "access.revoke"));
        page = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["reason"] = "Left" });
        await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.defer"));
        await chat.ClickAsync(Priya, ReviewChat.Button(ReviewChat.Item(await chat.StartAsync(Priya, id), "aisha-k"), "access.keep"));
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(await chat.StartAsync(Aisha, id), "access.sign-off"));
        Assert.Contains("the review completes when the revocations are confirmed and the deferred accounts decided.", ReviewChat.Text(page));

        var revocations = await chat.ClickAsync(Kevin, ReviewChat.Button((await chat.InboxAsync(Kevin)).Last().GetProperty("reply"), "access.revocations"));
        var noteForm = await chat.ClickAsync(Kevin, ReviewChat.Button(ReviewChat.Item(revocations, "ethan-b"), "access.revoked"));
        revocations = await chat.SubmitAsync(Kevin, noteForm, new Dictionary<string, string> { ["note"] = "IT-4410" });

        Assert.StartsWith("Confirmed ethan-b.\n", ReviewChat.Text(revocations));
        Assert.Equal("SignedOff", (await chat.ReviewAsync(id)).GetProperty("status").GetString());
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.keep"));
        Assert.Contains("is complete", ReviewChat.Text(page));
        Assert.Equal("Completed", (await chat.ReviewAsync(id)).GetProperty("status").GetString());
        await using var scope = app.Scope();
        Assert.Single(await BotApplication.Db(scope).AuditEvents.Where(e => e.Action == "access-review.completed").ToListAsync());
    }

    [Fact]
    public async Task AnAccountThatWasNotDeferredStaysLockedAfterSignOff()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var before = await DecideAllButNinaAsync(chat, id);
        var page = await chat.ClickAsync(Aisha, ReviewChat.Button(before, "access.sign-off"));

        // A button of the page from before sign-off on a kept account, and a Defer on the follow-up (only Keep and Revoke are offered).
        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(before, "liam-w"), "access.revoke"));
        var revoked = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["reason"] = "late change of mind" });
        var keepNina = ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.keep");
        var deferredAgain = await chat.ClickAsync(Aisha, JsonSerializer.SerializeToElement(new { id = "access.defer", data = keepNina.GetProperty("data") }));

        Assert.StartsWith("The GitHub review for 2026-Q4 is signed off; its decisions are locked.", ReviewChat.Text(revoked));
        Assert.StartsWith($"nina-p was deferred at sign-off; keep or revoke it by {FollowUpDue}.", ReviewChat.Text(deferredAgain));
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(AccessDecision.Keep, (await db.AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "liam-w")).Decision);
        Assert.Equal(AccessDecision.Deferred, (await db.AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "nina-p")).Decision);
        Assert.False(await db.AccessRevocations.AnyAsync(r => r.ReviewId == id));
    }

    [Fact]
    public async Task SomeoneElseCannotDecideTheFollowUp()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await SignOffWithNinaDeferredAsync(chat, id);
        var keep = ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.keep");

        var byPriya = await chat.ClickAsync(Priya, keep);
        var byKevin = await chat.ClickAsync(Kevin, keep);

        Assert.StartsWith("nina-p is not yours to decide in this review.", ReviewChat.Text(byPriya));
        Assert.StartsWith("nina-p is not yours to decide in this review.", ReviewChat.Text(byKevin));
        Assert.Equal("SignedOff", (await chat.ReviewAsync(id)).GetProperty("status").GetString());
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(AccessDecision.Deferred, (await db.AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "nina-p")).Decision);
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == "access-review.refused"));
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == "access-review.follow-up-decided"));
    }

    [Fact]
    public async Task TheReviewersManagerDecidesTheDeferredOwnAccountAfterSignOffAndNobodyElseCan()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await chat.StartAsync(Aisha, id);
        page = await chat.KeepAllAsync(Aisha, page);
        foreach (var account in new[] { "arjun-m", "ci-bot", "ethan-b", "nina-p" })
        {
            page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, account), "access.keep"));
        }

        var manager = await chat.StartAsync(Priya, id);
        await chat.ClickAsync(Priya, ReviewChat.Button(ReviewChat.Item(manager, "aisha-k"), "access.defer"));
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(await chat.StartAsync(Aisha, id), "access.sign-off"));
        Assert.Contains($"Signed off 27 Nov 2026; 1 deferred account to decide by {FollowUpDue}.", ReviewChat.Text(page));

        // Priya is told the account she deferred is still hers; Aisha's list shows the review while it waits for her manager.
        var dm = (await chat.InboxAsync(Priya)).Last().GetProperty("reply");
        Assert.Equal($"Aisha Khan signed off the GitHub access review for 2026-Q4. 1 account you deferred is still yours to keep or revoke by {FollowUpDue}.", ReviewChat.Text(dm));
        Assert.Contains($"GitHub — 2026-Q4: signed off; 1 deferred account to decide by {FollowUpDue}",
            (await chat.SayAsync(Aisha, "access reviews")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("text").GetString()));
        manager = await chat.ClickAsync(Priya, ReviewChat.Button(dm, "access.start"));
        var keep = ReviewChat.Button(ReviewChat.Item(manager, "aisha-k"), "access.keep");

        var byAisha = await chat.ClickAsync(Aisha, keep);
        var byPriya = await chat.ClickAsync(Priya, keep);

        Assert.StartsWith("aisha-k is your own account, so someone else decides on it (no self-review).", ReviewChat.Text(byAisha));
        Assert.StartsWith("aisha-k: keep (on the follow-up). That was the last open item", ReviewChat.Text(byPriya));
        Assert.StartsWith("keep — Priya Nair", ReviewChat.Field(ReviewChat.Item(byPriya, "aisha-k"), "Decision"));
        Assert.EndsWith("(on the follow-up; deferred at sign-off)", ReviewChat.Field(ReviewChat.Item(byPriya, "aisha-k"), "Decision"));
        Assert.Equal("Completed", (await chat.ReviewAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheHolderIsRemindedOnceWhenTheFollowUpIsOverdue()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        await SignOffWithNinaDeferredAsync(chat, id);
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var aishaId = await db.People.Where(p => p.Email == Aisha).Select(p => p.Id).SingleAsync();
            Assert.Contains(await db.Reminders.Where(r => r.Subject == AccessReviewReminders.FollowUpSubject(id, aishaId)).Select(r => r.Step).ToListAsync(), s => s == ReminderLadder.DueStep);
        }

        // Monday 14 Dec, in her working hours (London): one business day past the follow-up's Friday due date.
        await SweepAsync(app, new DateTimeOffset(2026, 12, 14, 12, 0, 0, TimeSpan.Zero));
        await SweepAsync(app, new DateTimeOffset(2026, 12, 14, 15, 0, 0, TimeSpan.Zero));

        var reminder = Assert.Single(await FollowUpRemindersAsync(chat, Aisha));
        Assert.StartsWith("Overdue: GitHub access review follow-up — 2026-Q4: You have 1 account deferred at sign-off", reminder);
        Assert.Contains("due Fri 11 Dec 2026. It is 1 business day(s) overdue.", reminder);
    }

    private static async Task SweepAsync(BotApplication app, DateTimeOffset at)
    {
        app.Clock.SetUtcNow(at);
        await app.Services.GetRequiredService<ReminderSweep>().RunOnceAsync(CancellationToken.None);
    }

    private static async Task<List<string>> FollowUpRemindersAsync(ReviewChat chat, string user) =>
        [.. (await chat.InboxAsync(user)).Select(m => m.GetProperty("reply"))
            .Where(r => r.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String && t.GetString()!.Contains("access review follow-up", StringComparison.Ordinal))
            .Select(r => $"{r.GetProperty("title").GetString()}: {ReviewChat.Text(r)}")];
}
