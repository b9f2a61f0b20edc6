using ComplianceBot.AccessReviews;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.AccessReviews;

public sealed class AccessReviewReminderTests
{
    private const string Aisha = "aisha.khan@acme.example";
    private const string Kevin = "kevin.osei@acme.example";
    private const string Priya = "priya.nair@acme.example";
    private const string James = "james.okafor@acme.example";

    private static async Task SweepAsync(BotApplication app, DateTimeOffset at)
    {
        app.Clock.SetUtcNow(at);
        await app.Services.GetRequiredService<ReminderSweep>().RunOnceAsync(CancellationToken.None);
    }

    private static async Task<List<string>> TitlesAsync(ReviewChat chat, string user) =>
        [.. (await chat.InboxAsync(user)).Select(m => m.GetProperty("reply")).Where(r => r.TryGetProperty("title", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String)
            .Select(r => $"{r.GetProperty("title").GetString()}: {ReviewChat.Text(r)}")];

    [Fact]
    public async Task TheReviewerIsRemindedOnTheLadderWithProgressInsteadOfTheBareTask()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var task = await db.ControlTasks.SingleAsync(t => t.ControlId == "AC-01" && t.Period == "2026-Q4");
            var rows = await db.Reminders.Where(r => r.Subject == AccessReviewReminders.ReviewSubject(id)).ToListAsync();
            Assert.Contains(rows, r => r.Step == "due" && r.TaskId == task.Id);
            Assert.Contains(rows, r => r.Step == ReminderLadder.ManagerStep);
            // The task's own ladder is not planned on top (the sweep skips tasks that have reminder rows).
            await SweepAsync(app, new DateTimeOffset(2027, 1, 14, 12, 0, 0, TimeSpan.Zero));
            Assert.False(await db.Reminders.AnyAsync(r => r.Subject == ReminderPlanner.TaskSubject(task.Id)));
        }

        var reminder = Assert.Single(await TitlesAsync(chat, Aisha), t => t.StartsWith("Reminder: GitHub access review — 2026-Q4", StringComparison.Ordinal));
        Assert.Contains("0/8 decided, due Fri 15 Jan 2027", reminder);
    }

    [Fact]
    public async Task AfterSignOffTheReviewerIsLeftAloneAndTheAdminIsRemindedUntilRevocationsAreConfirmed()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        await DecideEverythingAndSignOffAsync(chat, id);

        await SweepAsync(app, new DateTimeOffset(2026, 12, 2, 18, 0, 0, TimeSpan.Zero));

        Assert.DoesNotContain(await TitlesAsync(chat, Aisha), t => t.StartsWith("Reminder: GitHub access review — 2026-Q4", StringComparison.Ordinal));
        var revocations = Assert.Single(await TitlesAsync(chat, Kevin), t => t.StartsWith("Reminder: GitHub revocations", StringComparison.Ordinal));
        Assert.Contains("You have 1 revocation from the GitHub access review for 2026-Q4", revocations);

        var list = await chat.ClickAsync(Kevin, ReviewChat.Button((await chat.InboxAsync(Kevin)).Last().GetProperty("reply"), "access.revocations"));
        var form = await chat.ClickAsync(Kevin, ReviewChat.Button(ReviewChat.Item(list, "ethan-b"), "access.revoked"));
        await chat.SubmitAsync(Kevin, form, new Dictionary<string, string> { ["note"] = "IT-4410" });
        var before = (await TitlesAsync(chat, Kevin)).Count(t => t.Contains("revocations", StringComparison.Ordinal));

        await SweepAsync(app, new DateTimeOffset(2026, 12, 10, 18, 0, 0, TimeSpan.Zero));

        // His other control tasks may remind him; the revocations no longer do.
        Assert.Equal(before, (await TitlesAsync(chat, Kevin)).Count(t => t.Contains("revocations", StringComparison.Ordinal)));
        await using var scope = app.Scope();
        Assert.False(await BotApplication.Db(scope).Reminders.AnyAsync(r => r.Subject == AccessReviewReminders.RevocationsSubject(id) && r.Status == ReminderStatus.Pending && r.DueAt <= app.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task QuestionsPutTheAskedPersonOnOneLadderThatRemindsHerUntilSheHasAnswered()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4, reviewer: Kevin);
        int priyaId;
        string subject;
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            priyaId = await db.People.Where(p => p.Email == Priya).Select(p => p.Id).SingleAsync();
            subject = AccessReviewReminders.DeciderSubject(id, priyaId);
            Assert.False(await db.Reminders.AnyAsync(r => r.Subject == subject));
        }

        // Kevin reviews and asks Priya about two accounts.
        await chat.EscalateAsync(Kevin, await chat.StartAsync(Kevin, id), "nina-p", Priya, "Does Nina still need the finance and ops teams?");

        List<Reminder> planned;
        await using (var scope = app.Scope())
        {
            planned = await BotApplication.Db(scope).Reminders.AsNoTracking().Where(r => r.Subject == subject).ToListAsync();
        }

        Assert.All(planned, r => Assert.Equal(ReminderStatus.Pending, r.Status));
        Assert.Contains(planned, r => r.Step == ReminderLadder.DueStep && r.RecipientId == priyaId && r.Audience == ReminderAudience.Owner);
        Assert.Contains(planned, r => r.Step == ReminderLadder.ManagerStep && r.Audience == ReminderAudience.Manager);

        // A second question to the same person in the same review: the ladder she has covers it.
        var second = await chat.EscalateAsync(Kevin, await chat.StartAsync(Kevin, id), "liam-w", "Priya Nair", "Is Liam still on the web team?");
        Assert.StartsWith("liam-w: asked Priya Nair.", ReviewChat.Text(second));
        await using (var scope = app.Scope())
        {
            var rows = await BotApplication.Db(scope).Reminders.AsNoTracking().Where(r => r.Subject == subject).ToListAsync();
            Assert.Equal(planned.Select(r => (r.Id, r.Step)).Order(), rows.Select(r => (r.Id, r.Step)).Order());
        }

        // Delivered in her working hours (Los Angeles): the 7-days-before rung, the 1-day-before one folded into it.
        await SweepAsync(app, new DateTimeOffset(2027, 1, 14, 18, 0, 0, TimeSpan.Zero));
        var reminder = Assert.Single(await TitlesAsync(chat, Priya), t => t.StartsWith("Reminder: GitHub access review — 2026-Q4", StringComparison.Ordinal));
        Assert.Contains("You have 2 questions about accounts still to answer in the GitHub access review for 2026-Q4 (reviewer: Kevin Osei), due Fri 15 Jan 2027.", reminder);
        var sent = (await chat.InboxAsync(Priya)).Last(m => ReviewChat.Text(m.GetProperty("reply")).StartsWith("You have 2 questions", StringComparison.Ordinal)).GetProperty("reply");
        var questions = await chat.ClickAsync(Priya, ReviewChat.Button(sent, "access.questions"));
        Assert.Equal(2, questions.GetProperty("items").GetArrayLength());
        Assert.Contains("Is Liam still on the web team?", questions.GetProperty("items")[1].GetProperty("text").GetString());

        // She answers both; her ladder has done its job.
        await chat.ClickAsync(Priya, ReviewChat.Button(questions.GetProperty("items")[0], "access.answer"));
        await chat.ClickAsync(Priya, ReviewChat.Button(questions.GetProperty("items")[1], "access.answer"));
        Assert.StartsWith("Nobody is waiting", ReviewChat.Text(await chat.ClickAsync(Priya, ReviewChat.Button(sent, "access.questions"))));
        var before = (await TitlesAsync(chat, Priya)).Count(t => t.Contains("GitHub access review", StringComparison.Ordinal));

        // Past the whole ladder (overdue rungs, her manager, the channel): Kevin's own review is still open, her part is done.
        await SweepAsync(app, new DateTimeOffset(2027, 2, 5, 18, 0, 0, TimeSpan.Zero));

        Assert.Equal(before, (await TitlesAsync(chat, Priya)).Count(t => t.Contains("GitHub access review", StringComparison.Ordinal)));
        Assert.DoesNotContain(await TitlesAsync(chat, James), t => t.Contains("Priya Nair has", StringComparison.Ordinal));
        await using (var scope = app.Scope())
        {
            var rows = await BotApplication.Db(scope).Reminders.AsNoTracking().Where(r => r.Subject == subject).ToListAsync();
            Assert.DoesNotContain(rows, r => r.Status == ReminderStatus.Pending);
            Assert.Equal(1, rows.Count(r => r.Status == ReminderStatus.Sent));
            Assert.Contains(rows, r => r.Step == ReminderLadder.ManagerStep && r.Status == ReminderStatus.Cancelled);
        }
    }

    [Fact]
    public async Task TheReviewersManagerIsRemindedOfTheReviewersOwnAccount()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var priyaId = await db.People.Where(p => p.Email == Priya).Select(p => p.Id).SingleAsync();
            Assert.Contains(await db.Reminders.Where(r => r.Subject == AccessReviewReminders.DeciderSubject(id, priyaId)).Select(r => r.Step).ToListAsync(), s => s == ReminderLadder.DueStep);
        }

        await SweepAsync(app, new DateTimeOffset(2027, 1, 14, 18, 0, 0, TimeSpan.Zero));

        var reminder = Assert.Single(await TitlesAsync(chat, Priya), t => t.StartsWith("Reminder: GitHub access review — 2026-Q4", StringComparison.Ordinal));
        Assert.Contains("You have 1 account still to decide", reminder);
    }

    private static async Task DecideEverythingAndSignOffAsync(ReviewChat chat, int id)
    {
        var page = await chat.StartAsync(Aisha, id);
        page = await chat.KeepAllAsync(Aisha, page);
        foreach (var account in new[] { "arjun-m", "ci-bot", "nina-p" })
        {
            page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, account), "access.keep"));
        }

        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "ethan-b"), "access.revoke"));
        await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["reason"] = "Left" });
        var manager = await chat.StartAsync("priya.nair@acme.example", id);
        await chat.ClickAsync("priya.nair@acme.example", ReviewChat.Button(ReviewChat.Item(manager, "aisha-k"), "access.keep"));
        page = await chat.StartAsync(Aisha, id);
        await chat.ClickAsync(Aisha, ReviewChat.Button(page, "access.sign-off"));
    }
}
