using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Channels.Web;
using ComplianceBot.Conversations;
using ComplianceBot.Digest;
using ComplianceBot.Outbox;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.AccessReviews;
using ComplianceBot.Tests.ChangeApprovals;
using ComplianceBot.Tests.Channels.Slack;
using ComplianceBot.Tests.Channels.Teams;
using ComplianceBot.Tests.Channels.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Digest;

/// <summary>
/// The weekly digest through the real host: seeded work over a week, then the scheduler's sweep on Monday morning in
/// the compliance channel's time zone (America/New_York: the demo's first compliance admin, Dana Reyes).
/// </summary>
public sealed class DigestTests
{
    private const string Channel = "#compliance";
    private const string Week = "2026-W50";

    /// <summary>Mon 7 Dec 2026, 09:30 in New York.</summary>
    private static readonly DateTimeOffset MondayMorning = Utc(12, 7, 14, 30);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public async Task TheDigestSaysWhatChangedWhatIsOverdueWhatIsStuckAndTheTrend()
    {
        using var app = DigestHost();
        app.Settings["Changes:ExpireAfterHours"] = "240";
        await SweepAtAsync(app, BotApplication.DefaultNow);

        // Monday 30 Nov: the GitHub Q4 access review is imported, and nobody decides anything in it.
        app.Clock.SetUtcNow(Utc(11, 30, 14));
        var reviews = new ReviewChat(app);
        var reviewId = await reviews.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        // Wednesday 2 Dec: Dana attests one occurrence with exceptions; a change is submitted and waits for its approver.
        app.Clock.SetUtcNow(Utc(12, 2, 14));
        var attested = await TaskAsync(app, t => t.Assignee!.Email == "dana.reyes@acme.example" && t.Period == "2026-Q4", new DateOnly(2026, 12, 18));
        var chat = new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example");
        var form = (await chat.ClickAsync("attest.start", new Dictionary<string, string> { ["task"] = attested.Id.ToString(CultureInfo.InvariantCulture) }))[0];
        await chat.SubmitAsync(form, new Dictionary<string, string> { ["outcome"] = "PerformedWithExceptions", ["statement"] = "Done.", ["notes"] = "One host was patched two days late." });
        var changeId = await ChangeClient.SubmitAsync(app.CreateAdminClient(), ChangeClient.Change(ChangeClient.Grace));

        // An occurrence owned by one of Maria Chen's reports falls due Wednesday and is never attested.
        var overdue = await TaskAsync(app, t => t.Assignee!.Manager!.Email == "maria.chen@acme.example" && t.Id != attested.Id, new DateOnly(2026, 12, 2));
        await ParkOneDeliveryAsync(app);

        await SweepAtAsync(app, MondayMorning);

        var digest = Assert.Single(await ChannelPostsAsync(app), IsDigest);
        Assert.Equal("Weekly compliance digest: week of Mon 7 Dec", digest.Title);
        var text = digest.Text;
        Assert.Contains("<strong>What changed since Mon 30 Nov</strong>", digest.Html, StringComparison.Ordinal);
        Assert.Contains($"With exceptions: {attested.ControlId} 2026-Q4 (Dana Reyes)", text, StringComparison.Ordinal);
        Assert.Contains($"{overdue.ControlId} {overdue.Period} ({overdue.Assignee!.Name}, due Wed 2 Dec)", text, StringComparison.Ordinal);
        Assert.Matches(@"AVL-02 ×\d+ \(Hannah Schmidt, due Sat 28 Nov to ", text); // a daily control missed all week is one entry
        Assert.Contains("Changes: 1 submitted, 0 approved, 0 rejected", text, StringComparison.Ordinal);

        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var missed = await db.ControlTasks.CountAsync(t => t.Status == ControlTaskStatus.Missed);
            var owners = await db.ControlTasks.Where(t => t.Status == ControlTaskStatus.Missed).Select(t => t.AssigneeId).Distinct().CountAsync();
            Assert.Contains($"Overdue now: {missed} occurrences ({owners} owner{(owners == 1 ? "" : "s")})", text, StringComparison.Ordinal);
            Assert.Equal(missed.ToString(CultureInfo.InvariantCulture), digest.Fields.Single(f => f.Label == "Overdue now").Value);
            Assert.Contains($"{overdue.Assignee.Name} (manager Maria Chen): ", text, StringComparison.Ordinal);
            var reviewer = await db.AccessReviews.Where(r => r.Id == reviewId).Select(r => r.Reviewer!.Name).SingleAsync();
            Assert.Contains($"Access review GitHub 2026-Q4 ({reviewer}): 0 of 8 accounts decided, nothing decided for 7 days", text, StringComparison.Ordinal);
        }

        Assert.Contains($"Change #{changeId} \"Enable branch protection on acme/app\" (GitHub): waiting 5 days for Daniel Levi", text, StringComparison.Ordinal);
        Assert.Contains("Deliveries this week: 1 failed, 0 unconfirmed", text, StringComparison.Ordinal);
        Assert.Contains("test about test:lost to Dana Reyes (failed)", text, StringComparison.Ordinal);

        // The trend: one character per week for the last eight, then the last week's rate.
        var trend = text[(text.IndexOf("On time, last 8 weeks", StringComparison.Ordinal) + "On time, last 8 weeks".Length)..].Trim();
        Assert.Matches("^[▁▂▃▄▅▆▇█·]{8}  ", trend);

        await using var check = app.Scope();
        var row = await BotApplication.Db(check).Outbox.SingleAsync(m => m.Topic == DigestScheduler.OutboxTopic);
        Assert.Equal((DigestScheduler.ChannelKey(Week), OutboxStatus.Sent), (row.Key, row.Status));
        Assert.True(await BotApplication.Db(check).AuditEvents.AnyAsync(e => e.Action == "digest.sent" && e.Subject == row.Key));
    }

    [Fact]
    public async Task TwoHostsOnOneDatabaseSendTheWeeksDigestExactlyOnce()
    {
        using var first = DigestHost();
        using var second = new SecondHost(first.DataDirectory);
        second.Settings["Digest:Enabled"] = "true";
        await SweepAtAsync(first, BotApplication.DefaultNow);
        _ = second.Services; // started on the same file before the race

        foreach (var at in new[] { MondayMorning, MondayMorning.AddMinutes(1), MondayMorning.AddHours(3) })
        {
            first.Clock.SetUtcNow(at);
            second.Clock.SetUtcNow(at);
            await Task.WhenAll(
                Task.Run(() => first.Services.GetRequiredService<ReminderSweep>().RunOnceAsync(default)),
                Task.Run(() => second.Services.GetRequiredService<ReminderSweep>().RunOnceAsync(default)));
        }

        Assert.Single(await ChannelPostsAsync(first), IsDigest);
        await using var scope = first.Scope();
        var db = BotApplication.Db(scope);
        var row = await db.Outbox.SingleAsync(m => m.Topic == DigestScheduler.OutboxTopic);
        Assert.Equal((DigestScheduler.ChannelKey(Week), OutboxStatus.Sent, 1), (row.Key, row.Status, row.Attempts));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "digest.sent"));
    }

    [Fact]
    public async Task NoDigestIsSentWhenItIsTurnedOff()
    {
        using var app = new BotApplication(); // Digest:Enabled=false, as an operator sets it
        await SweepAtAsync(app, MondayMorning);
        await SweepAtAsync(app, MondayMorning.AddHours(2));

        Assert.DoesNotContain(await ChannelPostsAsync(app), IsDigest);
        await using var scope = app.Scope();
        Assert.False(await BotApplication.Db(scope).Outbox.AnyAsync(m => m.Topic == DigestScheduler.OutboxTopic));

        // The preview still answers, so the lead can see what it would say before turning it on.
        var preview = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/digest");
        Assert.StartsWith("Weekly compliance digest", preview.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDigestOutsideTheComplianceChannelsWorkingHoursAndAMissedDayIsNotMadeUpLater()
    {
        using var app = DigestHost();
        foreach (var at in new[]
        {
            Utc(12, 5, 15),       // Saturday
            Utc(12, 7, 13, 59),   // Monday 08:59 in New York
            Utc(12, 7, 22),       // Monday 17:00 in New York: the working day is over
            Utc(12, 8, 14, 30),   // Tuesday: Monday's digest is not made up a day late
        })
        {
            await SweepAtAsync(app, at);
            Assert.DoesNotContain(await ChannelPostsAsync(app), IsDigest);
        }

        await SweepAtAsync(app, Utc(12, 14, 14));
        Assert.Single(await ChannelPostsAsync(app), IsDigest);
        await using var scope = app.Scope();
        Assert.Equal(DigestScheduler.ChannelKey("2026-W51"), (await BotApplication.Db(scope).Outbox.SingleAsync(m => m.Topic == DigestScheduler.OutboxTopic)).Key);
    }

    [Fact]
    public async Task ManagersGetTheirOwnTeamsDigestByDirectMessageOnce()
    {
        using var app = DigestHost();
        app.Settings["Digest:ManagerDigests"] = "true";
        await SweepAtAsync(app, BotApplication.DefaultNow);
        var overdue = await TaskAsync(app, t => t.Assignee!.Manager!.Email == "maria.chen@acme.example", new DateOnly(2026, 12, 2));

        await SweepAtAsync(app, MondayMorning);
        await SweepAtAsync(app, MondayMorning.AddHours(1));

        var maria = Assert.Single(await InboxAsync(app, "maria.chen@acme.example"), IsDigest);
        Assert.Equal("Your team's weekly compliance digest: week of Mon 7 Dec", maria.Title);
        Assert.Contains("For your 5 direct reports", maria.Text, StringComparison.Ordinal);
        Assert.Contains($"{overdue.Assignee!.Name} (manager Maria Chen): ", maria.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Deliveries", maria.Text, StringComparison.Ordinal);

        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var recipients = await db.Outbox.Where(m => m.Topic == DigestScheduler.OutboxTopic && m.RecipientId != null).Select(m => m.RecipientId!.Value).ToListAsync();
        Assert.Equal(recipients.Count, recipients.Distinct().Count());
        Assert.All(recipients, id => Assert.True(db.People.Any(p => p.ManagerId == id), "only managers get a team digest"));
        Assert.Contains(DigestScheduler.ManagerKey(Week, await db.People.Where(p => p.Email == "maria.chen@acme.example").Select(p => p.Id).SingleAsync()),
            await db.Outbox.Where(m => m.Topic == DigestScheduler.OutboxTopic).Select(m => m.Key).ToListAsync());
    }

    [Fact]
    public async Task InSlackTheDigestIsMrkdwnWithItsHeadingsBoldAndTheChangeTitleEscaped()
    {
        await using var bot = SlackBot.With(app =>
        {
            app.Settings["Digest:Enabled"] = "true";
            app.Settings["Slack:ComplianceChannelId"] = "C0COMPLY";
            app.Settings["Changes:ExpireAfterHours"] = "240";
        });
        bot.App.Clock.SetUtcNow(Utc(12, 3, 15));
        var change = ChangeClient.Change(ChangeClient.Grace);
        change["title"] = "Rotate <!channel> *keys* & <https://evil.example|secrets>";
        await ChangeClient.SubmitAsync(bot.App.CreateAdminClient(), change);

        await SweepAtAsync(bot.App, MondayMorning);

        var post = Assert.Single(bot.Slack.CallsTo("chat.postMessage"), c => c.Arg("channel") == "C0COMPLY" && c.Arg("text")?.Contains("Weekly compliance digest", StringComparison.Ordinal) == true);
        var blocks = post.Args["blocks"]!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("*What changed since Mon 30 Nov*", blocks, StringComparison.Ordinal);
        Assert.Contains("*Stuck*", blocks, StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", blocks, StringComparison.Ordinal);
        Assert.DoesNotContain("<https://evil.example", blocks, StringComparison.Ordinal);
        Assert.Contains("&lt;!channel&gt;", blocks, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InTeamsTheDigestIsACardInTheComplianceChannel()
    {
        await using var app = new TeamsApplication();
        app.Settings["Digest:Enabled"] = "true";

        await SweepAtAsync(app, MondayMorning);

        var post = Assert.Single(app.Connector.Activities, c => c.Path == "/v3/conversations/19:compliance@thread.tacv2/activities"
            && c.Body?.ToJsonString().Contains("Weekly compliance digest", StringComparison.Ordinal) == true);
        var card = post.Body!["attachments"]![0]!["content"]!.ToJsonString();
        Assert.Contains("Weekly compliance digest: week of Mon 7 Dec", card, StringComparison.Ordinal);
        Assert.Contains("What changed since Mon 30 Nov", card, StringComparison.Ordinal);
        Assert.Contains("On time, last 8 weeks", card, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePreviewNamesAnUnknownOrReportlessManagerInsteadOfFailing()
    {
        using var app = DigestHost();
        var admin = app.CreateAdminClient();

        var unknown = await admin.GetAsync("/api/admin/digest?manager=nobody@acme.example");
        var noReports = await admin.GetAsync("/api/admin/digest?manager=grace.liu@acme.example");
        var maria = await admin.GetFromJsonAsync<JsonElement>("/api/admin/digest?manager=Maria.Chen@acme.example");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nobody@acme.example", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noReports.StatusCode);
        Assert.Contains("no active direct reports", await noReports.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("maria.chen@acme.example", maria.GetProperty("recipient").GetString());
        Assert.Equal(8, maria.GetProperty("digest").GetProperty("trend").GetArrayLength());
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/api/admin/digest")).StatusCode);
    }

    private static BotApplication DigestHost()
    {
        var app = new BotApplication();
        app.Settings["Digest:Enabled"] = "true";
        return app;
    }

    private static bool IsDigest(WebReply reply) => reply.Title?.Contains("weekly compliance digest", StringComparison.OrdinalIgnoreCase) == true;

    private static async Task SweepAtAsync(BotApplication app, DateTimeOffset at)
    {
        app.Clock.SetUtcNow(at);
        await app.Services.GetRequiredService<ReminderSweep>().RunOnceAsync(default);
    }

    /// <summary>The first open occurrence matching <paramref name="filter"/>, moved to fall due on <paramref name="due"/>.</summary>
    private static async Task<ControlTask> TaskAsync(BotApplication app, System.Linq.Expressions.Expression<Func<ControlTask, bool>> filter, DateOnly due)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var task = await db.ControlTasks.Include(t => t.Assignee).Where(t => t.Status == ControlTaskStatus.Open).Where(filter).OrderBy(t => t.Id).FirstAsync();
        task.DueDate = due;
        await db.SaveChangesAsync();
        return task;
    }

    /// <summary>A message to Dana that failed its last attempt on Thursday (the outbox parks it).</summary>
    private static async Task ParkOneDeliveryAsync(BotApplication app)
    {
        app.Clock.SetUtcNow(Utc(12, 3, 15));
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var dana = await db.People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
        var row = scope.ServiceProvider.GetRequiredService<OutboxWriter>().ToPerson(dana, new Reply("Never arrives") { Title = "Lost" }, "test:lost", "test", "test:lost");
        await db.SaveChangesAsync();
        Assert.True(row.MarkAttemptFailed("Slack is down", app.Clock.GetUtcNow(), new OutboxOptions { MaxAttempts = 1 }));
        await db.SaveChangesAsync();
    }

    private static async Task<List<WebReply>> ChannelPostsAsync(BotApplication app) => await InboxAsync(app, null);

    private static async Task<List<WebReply>> InboxAsync(BotApplication app, string? email)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var person = email is null ? null : await db.People.SingleAsync(p => p.Email == email);
        var rows = await db.Set<WebMessage>().AsNoTracking()
            .Where(m => person != null ? m.PersonId == person.Id : m.ChannelName == Channel).OrderBy(m => m.Id).ToListAsync();
        return [.. rows.Select(m => JsonSerializer.Deserialize<WebReply>(m.ReplyJson, JsonSerializerOptions.Web)!)];
    }

    private sealed class SecondHost(string dataDirectory) : BotApplication(dataDirectory);
}
