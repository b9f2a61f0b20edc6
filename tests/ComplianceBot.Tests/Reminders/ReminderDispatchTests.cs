using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Channels.Web;
using ComplianceBot.Conversations;
using ComplianceBot.Evidence;
using ComplianceBot.Knowledge;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Reminders;

public sealed class ReminderDispatchTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static async Task<ControlTask> DueTaskAsync(BotApplication app, string email, DateOnly due)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var task = await db.ControlTasks.Include(t => t.Control)
            .Where(t => t.Assignee!.Email == email && t.Status == ControlTaskStatus.Open && t.Period == "2026-Q4").OrderBy(t => t.Id).FirstAsync();
        task.DueDate = due;
        await db.SaveChangesAsync();
        return task;
    }

    private static async Task<List<Reminder>> RemindersAsync(BotApplication app, int taskId)
    {
        await using var scope = app.Scope();
        return await BotApplication.Db(scope).Reminders.AsNoTracking().Where(r => r.TaskId == taskId).OrderBy(r => r.DueAt).ToListAsync();
    }

    private static async Task<List<WebReply>> InboxAsync(BotApplication app, string? email, string? channel = null)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var person = email is null ? null : await db.People.SingleAsync(p => p.Email == email);
        var rows = await db.Set<WebMessage>().AsNoTracking()
            .Where(m => person != null ? m.PersonId == person.Id : m.ChannelName == channel).OrderBy(m => m.Id).ToListAsync();
        return [.. rows.Select(m => JsonSerializer.Deserialize<WebReply>(m.ReplyJson, JsonSerializerOptions.Web)!)];
    }

    private static async Task SweepAtAsync(BotApplication app, DateTimeOffset at)
    {
        app.Clock.SetUtcNow(at);
        await app.Services.GetRequiredService<ReminderSweep>().RunOnceAsync(default);
    }

    [Fact]
    public async Task TheLadderRemindsTheOwnerThenTheManagerThenTheComplianceChannelEachOnce()
    {
        using var app = new BotApplication();
        var task = await DueTaskAsync(app, "dana.reyes@acme.example", new DateOnly(2026, 12, 7));
        string title(WebReply r) => r.Title ?? "";
        int forTask(List<WebReply> inbox) => inbox.Count(r => title(r).Contains($"{task.ControlId} ", StringComparison.Ordinal) && title(r).Contains("2026-Q4", StringComparison.Ordinal));

        await SweepAtAsync(app, Utc(11, 27, 14));
        Assert.Contains(await RemindersAsync(app, task.Id), r => r.Step == "due-7" && r.DueAt == Utc(11, 30, 14) && r.Status == ReminderStatus.Pending);
        await SweepAtAsync(app, Utc(11, 30, 13, 59));
        Assert.Equal(0, forTask(await InboxAsync(app, "dana.reyes@acme.example")));

        await SweepAtAsync(app, Utc(11, 30, 14));
        await SweepAtAsync(app, Utc(11, 30, 16));
        var first = (await InboxAsync(app, "dana.reyes@acme.example")).Single(r => forTask([r]) == 1);
        Assert.StartsWith("Reminder:", first.Title);
        var fields = first.Fields.ToDictionary(f => f.Label, f => f.Value);
        Assert.Equal(task.Control!.Criteria, fields["Criteria"].Split(", "));
        Assert.Equal("none on file yet", fields["Last evidence"]);
        Assert.Contains("Mon 7 Dec 2026", fields["Due"]);
        Assert.Equal(["attest.start", "evidence.upload", "reminders.snooze", "reminders.snooze", "reminders.notmine", "help.ask"], first.Actions.Select(a => a.Id));

        foreach (var day in new[] { 4, 7, 8, 9, 10 })
        {
            await SweepAtAsync(app, Utc(12, day, 14, 5));
        }

        Assert.Equal(6, forTask(await InboxAsync(app, "dana.reyes@acme.example")));
        var manager = (await InboxAsync(app, "maria.chen@acme.example")).Where(r => forTask([r]) == 1).ToList();
        Assert.Single(manager);
        Assert.StartsWith("Escalation:", manager[0].Title);

        var channel = app.Services.GetRequiredService<ProgramProfileHolder>().Current.ComplianceChannel;
        await SweepAtAsync(app, Utc(12, 16, 14, 5));
        await SweepAtAsync(app, Utc(12, 16, 15));
        Assert.Single(await InboxAsync(app, null, channel), r => forTask([r]) == 1);

        await using var scope = app.Scope();
        var sentEvents = await BotApplication.Db(scope).AuditEvents.CountAsync(e => e.Action == "reminder.sent" && e.Subject == $"task:{task.Id}");
        Assert.Equal(forTask(await InboxAsync(app, "dana.reyes@acme.example")) + 2, sentEvents);
    }

    [Fact]
    public async Task RemindersStopOnceTheTaskIsAttested()
    {
        using var app = new BotApplication();
        var task = await DueTaskAsync(app, "dana.reyes@acme.example", new DateOnly(2026, 12, 7));
        await SweepAtAsync(app, Utc(11, 30, 14));
        var chat = new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example");
        var form = (await chat.ClickAsync("attest.start", new Dictionary<string, string> { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture) }))[0];
        await chat.SubmitAsync(form, new Dictionary<string, string> { ["outcome"] = "Performed" });

        await SweepAtAsync(app, Utc(12, 4, 14));

        var rows = await RemindersAsync(app, task.Id);
        Assert.Equal(ReminderStatus.Sent, rows.Single(r => r.Step == "due-7").Status);
        Assert.Equal(ReminderStatus.Cancelled, rows.Single(r => r.Step == "due-1").Status);
    }

    [Fact]
    public async Task SnoozeUntilMondayMovesTheNextReminder()
    {
        using var app = new BotApplication();
        var task = await DueTaskAsync(app, "dana.reyes@acme.example", new DateOnly(2026, 12, 4));
        await SweepAtAsync(app, Utc(11, 27, 14)); // due-7 planned late: sent now
        var chat = new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example");

        var reply = (await chat.ClickAsync(ReminderFlow.SnoozeAction, new Dictionary<string, string> { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture), ["until"] = "monday" }))[0];

        Assert.Contains("Mon 30 Nov 09:00", reply.GetProperty("text").GetString());
        var rows = await RemindersAsync(app, task.Id);
        Assert.Equal(ReminderStatus.Sent, rows.Single(r => r.Step == "due-7").Status);
        Assert.Equal(Utc(12, 3, 14), rows.Single(r => r.Step == "due-1").DueAt); // already after Monday: unchanged
        await using var scope = app.Scope();
        Assert.True(await BotApplication.Db(scope).AuditEvents.AnyAsync(e => e.Action == "reminder.snoozed" && e.Subject == $"task:{task.Id}"));
    }

    [Fact]
    public async Task SnoozedRungsThatPileUpAreSentAsOneMessageTheLatestRung()
    {
        using var app = new BotApplication();
        var task = await DueTaskAsync(app, "dana.reyes@acme.example", new DateOnly(2026, 12, 7));
        await SweepAtAsync(app, Utc(11, 27, 14));
        var chat = new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example");
        app.Clock.SetUtcNow(Utc(12, 3, 15));
        await chat.ClickAsync(ReminderFlow.SnoozeAction, new Dictionary<string, string> { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture), ["until"] = "monday" });

        await SweepAtAsync(app, Utc(12, 7, 14));

        var rows = await RemindersAsync(app, task.Id);
        Assert.Equal(ReminderStatus.Sent, rows.Single(r => r.Step == "due").Status);
        Assert.Equal(ReminderStatus.Skipped, rows.Single(r => r.Step == "due-1").Status);
    }

    [Fact]
    public async Task NotMineReassignsWithAReasonNotifiesTheNewOwnerAndLogsIt()
    {
        using var app = new BotApplication();
        var task = await DueTaskAsync(app, "dana.reyes@acme.example", new DateOnly(2026, 12, 7));
        await SweepAtAsync(app, Utc(11, 30, 14));
        var chat = new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example");
        var data = new Dictionary<string, string> { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture) };

        var form = (await chat.ClickAsync(ReminderFlow.NotMineAction, data))[0];
        var missingReason = (await chat.SubmitAsync(form, new Dictionary<string, string> { ["person"] = "julia.novak@acme.example" }))[0];
        Assert.True(missingReason.GetProperty("form").GetProperty("errors").TryGetProperty("reason", out _));
        var done = (await chat.SubmitAsync(form, new Dictionary<string, string> { ["person"] = "julia.novak@acme.example", ["reason"] = "Julia runs this review now" }))[0];

        Assert.Contains("Reassigned", done.GetProperty("text").GetString());
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var julia = await db.People.SingleAsync(p => p.Email == "julia.novak@acme.example");
        Assert.Equal(julia.Id, (await db.ControlTasks.SingleAsync(t => t.Id == task.Id)).AssigneeId);
        var logged = await db.AuditEvents.SingleAsync(e => e.Action == "task.reassigned" && e.Subject == $"task:{task.Id}");
        Assert.Contains("Julia runs this review now", logged.Data);
        var notice = (await InboxAsync(app, "julia.novak@acme.example")).Single(r => r.Title!.StartsWith("Reassigned to you", StringComparison.Ordinal));
        Assert.Contains("Julia runs this review now", notice.Text);
        var rows = await RemindersAsync(app, task.Id);
        Assert.All(rows.Where(r => r.Status == ReminderStatus.Pending && r.Audience == ReminderAudience.Owner), r => Assert.Equal(julia.Id, r.RecipientId));
        Assert.Contains(rows, r => r.Step == "due-7" && r.Status == ReminderStatus.Sent); // history stays
        Assert.Contains(rows, r => r.Step == "due-1" && r.RecipientId == julia.Id);

        var refused = (await new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example").ClickAsync(ReminderFlow.SnoozeAction, new Dictionary<string, string>(data) { ["until"] = "1d" }))[0];
        Assert.Contains("Only Julia Novak", refused.GetProperty("text").GetString());
    }

    [Fact]
    public async Task AReminderDueOutsideTheRecipientsWorkingHoursWaitsForTheirMorning()
    {
        using var app = new BotApplication();
        app.ConfigureTestServices = services => services.AddScoped<IReminderSubject, TestSubject>();
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var dana = await db.People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
            app.Clock.SetUtcNow(Utc(11, 27, 23)); // 18:00 in New York
            await scope.ServiceProvider.GetRequiredService<ReminderPlanner>().ScheduleAsync("test:late", "one", ReminderAudience.Owner, dana.Id, Utc(11, 27, 23), default);
        }

        var result = await app.Services.GetRequiredService<ReminderDispatcher>().DispatchDueAsync(default);

        Assert.True(result.Deferred >= 1);
        await using var check = app.Scope();
        var row = await BotApplication.Db(check).Reminders.SingleAsync(r => r.Subject == "test:late");
        Assert.Equal(ReminderStatus.Pending, row.Status);
        Assert.Equal(Utc(11, 30, 14), row.DueAt);
    }

    [Fact]
    public async Task TwoDispatchersOnOneDatabaseSendEveryReminderExactlyOnce()
    {
        using var app = new BotApplication();
        app.ConfigureTestServices = services => services.AddScoped<IReminderSubject, TestSubject>();
        const int count = 120;
        await using (var scope = app.Scope())
        {
            var dana = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
            var planner = scope.ServiceProvider.GetRequiredService<ReminderPlanner>();
            for (var i = 0; i < count; i++)
            {
                await planner.ScheduleAsync($"test:{i}", "once", ReminderAudience.Owner, dana.Id, app.Clock.GetUtcNow(), default);
            }
        }

        var first = ActivatorUtilities.CreateInstance<ReminderDispatcher>(app.Services, ActivatorUtilities.CreateInstance<OutboxDispatcher>(app.Services));
        var second = ActivatorUtilities.CreateInstance<ReminderDispatcher>(app.Services, ActivatorUtilities.CreateInstance<OutboxDispatcher>(app.Services));
        var results = await Task.WhenAll(Task.Run(() => first.DispatchDueAsync(default)), Task.Run(() => second.DispatchDueAsync(default)));

        Assert.Equal(count, results.Sum(r => r.Sent));
        var texts = (await InboxAsync(app, "dana.reyes@acme.example")).Where(r => r.Title == "Test reminder").Select(r => r.Text).ToList();
        Assert.Equal(count, texts.Count);
        Assert.Equal(count, texts.Distinct().Count());
        await using var check = app.Scope();
        var rows = await BotApplication.Db(check).Reminders.Where(r => r.Subject.StartsWith("test:")).ToListAsync();
        Assert.All(rows, r => Assert.Equal(ReminderStatus.Sent, r.Status));
        var keys = rows.Select(r => r.DeliveryKey).ToList();
        var deliveries = await BotApplication.Db(check).Outbox.Where(m => keys.Contains(m.Key)).ToListAsync();
        Assert.Equal(count, deliveries.Count);
        Assert.All(deliveries, m => Assert.Equal((OutboxStatus.Sent, 1), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task AFailingChannelIsRetriedWithBackoffThenMarkedFailedAndTheComplianceChannelIsAlerted()
    {
        using var app = new BotApplication();
        var failing = new FailingChannel();
        app.Settings["WebChat:Enabled"] = "false";
        app.Settings["Outbox:MaxAttempts"] = "3";
        app.Settings["Outbox:RetryDelay"] = "00:01:00";
        app.ConfigureTestServices = services =>
        {
            services.AddScoped<IReminderSubject, TestSubject>();
            services.AddSingleton<IChannelMessenger>(failing);
        };
        await using (var scope = app.Scope())
        {
            var dana = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
            await scope.ServiceProvider.GetRequiredService<ReminderPlanner>().ScheduleAsync("test:fail", "once", ReminderAudience.Owner, dana.Id, app.Clock.GetUtcNow(), default);
        }

        var dispatcher = app.Services.GetRequiredService<ReminderDispatcher>();
        Assert.Equal(1, (await dispatcher.DispatchDueAsync(default)).Retrying);
        app.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, (await dispatcher.DispatchDueAsync(default)).Retrying); // backoff: not yet
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await dispatcher.DispatchDueAsync(default)).Retrying);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, (await dispatcher.DispatchDueAsync(default)).Failed);

        Assert.Equal(3, failing.Attempts);
        Assert.Contains(failing.ChannelPosts, p => p.Title == "Delivery failed");
        var listed = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/outbox?status=Parked&topic=reminder");
        var row = listed.EnumerateArray().Single(r => r.GetProperty("subject").GetString() == "test:fail");
        Assert.Equal(3, row.GetProperty("attempts").GetInt32());
        Assert.Contains("Slack is down", row.GetProperty("lastError").GetString());
        await using var check = app.Scope();
        Assert.True(await BotApplication.Db(check).AuditEvents.AnyAsync(e => e.Action == "reminder.failed" && e.Subject == "test:fail"));
    }

    [Fact]
    public async Task TheSweepGeneratesTasksForNewPeriodsIdempotently()
    {
        using var app = new BotApplication();
        async Task<int> q2() { await using var s = app.Scope(); return await BotApplication.Db(s).ControlTasks.CountAsync(t => t.Period == "2027-Q2"); }
        Assert.Equal(0, await q2());

        await SweepAtAsync(app, new DateTimeOffset(2027, 1, 4, 14, 0, 0, TimeSpan.Zero));
        await SweepAtAsync(app, new DateTimeOffset(2027, 4, 1, 14, 0, 0, TimeSpan.Zero));
        var created = await q2();
        await SweepAtAsync(app, new DateTimeOffset(2027, 4, 2, 14, 0, 0, TimeSpan.Zero));

        Assert.True(created > 0);
        Assert.Equal(created, await q2());
    }

    [Fact]
    public async Task ExpiringEvidenceTriggersOneRefreshReminder()
    {
        using var app = new BotApplication();
        var task = await DueTaskAsync(app, "dana.reyes@acme.example", new DateOnly(2027, 1, 15));
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            db.EvidenceItems.Add(new EvidenceItem
            {
                TaskId = task.Id, UploadedById = task.AssigneeId, UploadedAt = app.Clock.GetUtcNow(), Channel = ChannelKind.Web,
                FileName = "soc-report.pdf", Length = 10, Sha256 = new string('b', 64), ExpiresOn = new DateOnly(2026, 12, 5),
            });
            await db.SaveChangesAsync();
        }

        await SweepAtAsync(app, Utc(11, 27, 15));
        await SweepAtAsync(app, Utc(11, 27, 16));

        var refresh = Assert.Single(await InboxAsync(app, "dana.reyes@acme.example"), r => r.Title == $"Evidence expiring: {task.ControlId}");
        Assert.Contains("soc-report.pdf", refresh.Text);
    }

    /// <summary>What another feature (change approvals) registers for its own subjects.</summary>
    private sealed class TestSubject(ComplianceBot.Data.ComplianceDbContext db) : IReminderSubject
    {
        public bool Handles(string subject) => subject.StartsWith("test:", StringComparison.Ordinal);

        public async Task<ReminderMessage?> ComposeAsync(Reminder reminder, CancellationToken cancellationToken) =>
            new(await db.People.SingleAsync(p => p.Id == reminder.RecipientId, cancellationToken), null, new Reply($"About {reminder.Subject}") { Title = "Test reminder" });
    }

    private sealed class FailingChannel : IChannelMessenger
    {
        public int Attempts;

        public List<Reply> ChannelPosts { get; } = [];

        public ChannelKind Channel => ChannelKind.Slack;

        public bool CanReach(Person person) => true;

        public Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Attempts);
            throw new HttpRequestException("Slack is down (503)");
        }

        public Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken)
        {
            ChannelPosts.Add(reply);
            return Task.FromResult<MessageRef?>(new MessageRef(ChannelKind.Slack, channelName, "1"));
        }
    }
}
