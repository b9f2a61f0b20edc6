using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Web;
using ComplianceBot.Conversations;
using ComplianceBot.Knowledge;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tests.Reminders;

/// <summary>
/// A host dies between handing a reminder to a channel and saving "sent". Simulated by cancelling the dispatcher's token
/// from inside the channel (the dispatcher lets a cancellation escape untouched, as a dying host would), then letting
/// the lease run out and dispatching from a second host.
/// </summary>
public sealed class ReminderCrashRecoveryTests
{
    private const string Subject = "test:crash";

    [Fact]
    public async Task AWebReminderSentJustBeforeTheHostDiedIsRecordedAsSentAndNotSentAgain()
    {
        using var crash = new Crash(CrashPoint.AfterSend);
        using var app = WithCrashingWeb(crash);
        await ScheduleForDanaAsync(app);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewHost(app).DispatchDueAsync(crash.Token));

        var inFlight = await RowAsync(app);
        Assert.Equal((OutboxStatus.Pending, ChannelKind.Web), (inFlight.Status, inFlight.AttemptChannel));
        Assert.NotNull(inFlight.AttemptStartedAt);
        Assert.Equal(0, (await NewHost(app).DispatchDueAsync(default)).Sent); // the dead host's lease still holds

        app.Clock.Advance(LeaseOf(app) + TimeSpan.FromSeconds(1));
        var result = await NewHost(app).DispatchDueAsync(default);
        await NewHost(app).DispatchDueAsync(default);

        Assert.Equal(1, result.Sent);
        var message = Assert.Single(await InboxAsync(app));
        var row = await RowAsync(app);
        Assert.Equal((OutboxStatus.Sent, 1, message.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), (row.Status, row.Attempts, row.SentMessageId));
        Assert.Null(row.AttemptStartedAt);
        await using var scope = app.Scope();
        var sent = await BotApplication.Db(scope).AuditEvents.SingleAsync(e => e.Action == "reminder.sent" && e.Subject == Subject);
        Assert.Contains("\"recovered\":\"true\"", sent.Data.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWebReminderWhoseHostDiedBeforeSendingIsSentOnceWithTheSameKey()
    {
        using var crash = new Crash(CrashPoint.BeforeSend);
        using var app = WithCrashingWeb(crash);
        await ScheduleForDanaAsync(app);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewHost(app).DispatchDueAsync(crash.Token));
        Assert.Empty(await InboxAsync(app));

        app.Clock.Advance(LeaseOf(app) + TimeSpan.FromSeconds(1));
        var result = await NewHost(app).DispatchDueAsync(default);

        Assert.Equal(1, result.Sent);
        var message = Assert.Single(await InboxAsync(app));
        var row = await RowAsync(app);
        Assert.Equal(row.Key, message.DeliveryKey);
        Assert.StartsWith("reminder:", row.Key, StringComparison.Ordinal);
        Assert.Equal((OutboxStatus.Sent, 1), (row.Status, row.Attempts));
    }

    [Fact]
    public async Task ASlackReminderSentJustBeforeTheHostDiedIsFoundInTheDmByItsKeyAndNotSentAgain()
    {
        using var crash = new Crash(CrashPoint.AfterSend);
        await using var slack = new FakeSlack();
        using var app = WithCrashingSlack(crash, slack);
        await ScheduleForDanaAsync(app);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewHost(app).DispatchDueAsync(crash.Token));
        Assert.Equal((OutboxStatus.Pending, ChannelKind.Slack), ((await RowAsync(app)).Status, (await RowAsync(app)).AttemptChannel));

        app.Clock.Advance(LeaseOf(app) + TimeSpan.FromSeconds(1));
        var result = await NewHost(app).DispatchDueAsync(default);
        await NewHost(app).DispatchDueAsync(default);

        Assert.Equal(1, result.Sent);
        var message = Assert.Single(slack.Messages[DanaDm]);
        var row = await RowAsync(app);
        Assert.Equal((OutboxStatus.Sent, 1, message["ts"]!.GetValue<string>()), (row.Status, row.Attempts, row.SentMessageId));
        var lookup = Assert.Single(slack.CallsTo("conversations.history"));
        Assert.Equal((DanaDm, "true"), (lookup.Arg("channel"), lookup.Arg("include_all_metadata")));
    }

    [Fact]
    public async Task ASlackReminderWhoseHostDiedBeforeSendingIsSentOnceWithTheKeyInItsMetadata()
    {
        using var crash = new Crash(CrashPoint.BeforeSend);
        await using var slack = new FakeSlack();
        using var app = WithCrashingSlack(crash, slack);
        await ScheduleForDanaAsync(app);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewHost(app).DispatchDueAsync(crash.Token));
        Assert.Empty(slack.CallsTo("chat.postMessage"));

        app.Clock.Advance(LeaseOf(app) + TimeSpan.FromSeconds(1));
        var result = await NewHost(app).DispatchDueAsync(default);

        Assert.Equal(1, result.Sent);
        Assert.Single(slack.CallsTo("conversations.history")); // the in-flight attempt was checked: not delivered
        var post = Assert.Single(slack.CallsTo("chat.postMessage"));
        var row = await RowAsync(app);
        Assert.Equal((DanaDm, SlackMessenger.DeliveryEventType, row.Key), (post.Arg("channel"), post.Args["metadata"]?["event_type"]?.GetValue<string>(), post.Args["metadata"]?["event_payload"]?["key"]?.GetValue<string>()));
        Assert.Equal((OutboxStatus.Sent, 1), (row.Status, row.Attempts));
    }

    [Fact]
    public async Task TheWebInboxKeepsOneMessagePerDeliveryKey()
    {
        using var app = new BotApplication();
        await using var scope = app.Scope();
        var dana = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
        var web = scope.ServiceProvider.GetServices<IChannelMessenger>().Single(c => c.Channel == ChannelKind.Web);

        Assert.Equal(DeliveryLookupState.NotDelivered, (await web.FindDeliveredAsync(dana, "reminder:test", default)).State);
        var first = await web.SendAsync(dana, new Reply("once"), "reminder:test", default);
        var again = await web.SendAsync(dana, new Reply("once"), "reminder:test", default);

        Assert.Equal(first, again);
        Assert.Equal(first, (await web.FindDeliveredAsync(dana, "reminder:test", default)).Message);
        Assert.Equal(1, await BotApplication.Db(scope).Set<WebMessage>().CountAsync(m => m.DeliveryKey == "reminder:test"));
    }

    [Fact]
    public async Task AReminderInFlightOnAChannelThatCannotTellIsMarkedUnconfirmedAlertedAndListedNotResent()
    {
        // Teams has no history lookup for bots; this stand-in keeps the interface's default "cannot tell".
        using var crash = new Crash(CrashPoint.AfterSend);
        var teams = new CannotTellChannel(crash);
        using var app = new BotApplication();
        app.ConfigureTestServices = services =>
        {
            services.AddScoped<IReminderSubject, TestSubject>();
            services.AddSingleton<IChannelMessenger>(teams);
        };
        await ScheduleForDanaAsync(app);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewHost(app).DispatchDueAsync(crash.Token));
        Assert.Equal(ChannelKind.Teams, (await RowAsync(app)).AttemptChannel);

        app.Clock.Advance(LeaseOf(app) + TimeSpan.FromSeconds(1));
        var result = await NewHost(app).DispatchDueAsync(default);
        app.Clock.Advance(TimeSpan.FromHours(1));
        await NewHost(app).DispatchDueAsync(default);

        Assert.Equal((0, 1), (result.Sent, result.Unconfirmed));
        Assert.Equal(1, teams.Sends);
        Assert.Empty(await InboxAsync(app)); // no fallback copy on the web either
        var row = await RowAsync(app);
        Assert.Equal((OutboxStatus.Unconfirmed, 0), (row.Status, row.Attempts));
        var channel = app.Services.GetRequiredService<ProgramProfileHolder>().Current.ComplianceChannel;
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var alert = await db.Set<WebMessage>().AsNoTracking().SingleAsync(m => m.ChannelName == channel);
        Assert.Contains("Delivery unconfirmed", alert.ReplyJson);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "reminder.unconfirmed" && e.Subject == Subject));
        var listed = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/outbox?status=Unconfirmed");
        var item = listed.EnumerateArray().Single(r => r.GetProperty("subject").GetString() == Subject);
        Assert.Equal("Teams", item.GetProperty("attemptChannel").GetString());
        Assert.Contains("cannot tell", item.GetProperty("lastError").GetString());
    }

    private static BotApplication WithCrashingWeb(Crash crash)
    {
        var app = new BotApplication();
        app.ConfigureTestServices = services =>
        {
            services.AddScoped<IReminderSubject, TestSubject>();
            var web = services.Single(d => d.ServiceType == typeof(IChannelMessenger) && d.ImplementationType == typeof(WebChannelMessenger));
            services.Remove(web);
            services.AddScoped<IChannelMessenger>(sp => new CrashingChannel(ActivatorUtilities.CreateInstance<WebChannelMessenger>(sp), crash));
        };
        return app;
    }

    private const string DanaDm = "DUDANA"; // the fake's conversations.open answers "D" + the user id

    /// <summary>A host with Slack (the fake) as Dana's channel, its messenger wrapped so the "host" dies around the send.</summary>
    private static BotApplication WithCrashingSlack(Crash crash, FakeSlack slack)
    {
        slack.Users["UDANA"] = ("dana.reyes@acme.example", "Dana Reyes");
        var app = new BotApplication();
        app.Settings["Slack:SigningSecret"] = "8f742231b10e8888abcd99yyyzzz85a5";
        app.Settings["Slack:BotToken"] = FakeSlack.BotToken;
        app.Settings["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString();
        app.ConfigureTestServices = services =>
        {
            services.AddScoped<IReminderSubject, TestSubject>();
            var real = services.Single(d => d.ServiceType == typeof(IChannelMessenger) && d.ImplementationType == typeof(SlackMessenger));
            services.Remove(real);
            services.AddScoped<IChannelMessenger>(sp => new CrashingChannel(ActivatorUtilities.CreateInstance<SlackMessenger>(sp), crash));
        };
        return app;
    }

    private static async Task ScheduleForDanaAsync(BotApplication app)
    {
        await using var scope = app.Scope();
        var dana = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
        await scope.ServiceProvider.GetRequiredService<ReminderPlanner>().ScheduleAsync(Subject, "once", ReminderAudience.Owner, dana.Id, app.Clock.GetUtcNow(), default);
    }

    /// <summary>Another host on the same database (its own lease owner id).</summary>
    private static ReminderDispatcher NewHost(BotApplication app) =>
        ActivatorUtilities.CreateInstance<ReminderDispatcher>(app.Services, ActivatorUtilities.CreateInstance<OutboxDispatcher>(app.Services));

    private static TimeSpan LeaseOf(BotApplication app) => app.Services.GetRequiredService<IOptions<OutboxOptions>>().Value.Lease;

    /// <summary>The reminder's delivery: its outbox row.</summary>
    private static async Task<OutboxMessage> RowAsync(BotApplication app)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var reminder = await db.Reminders.AsNoTracking().SingleAsync(r => r.Subject == Subject);
        return await db.Outbox.AsNoTracking().SingleAsync(m => m.Key == reminder.DeliveryKey);
    }

    private static async Task<List<WebMessage>> InboxAsync(BotApplication app)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var dana = await db.People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
        return await db.Set<WebMessage>().AsNoTracking().Where(m => m.PersonId == dana.Id && m.ReplyJson.Contains("Test reminder")).ToListAsync();
    }

    private enum CrashPoint
    {
        BeforeSend,
        AfterSend,
    }

    /// <summary>Kills the "host" once: cancels the token the dispatcher runs with and throws, as a shutdown mid-send would.</summary>
    private sealed class Crash(CrashPoint point) : IDisposable
    {
        private readonly CancellationTokenSource source = new();
        private int tripped;

        public CancellationToken Token => source.Token;

        public void At(CrashPoint here)
        {
            if (here == point && Interlocked.Exchange(ref tripped, 1) == 0)
            {
                source.Cancel();
                source.Token.ThrowIfCancellationRequested();
            }
        }

        public void Dispose() => source.Dispose();
    }

    private sealed class CrashingChannel(IChannelMessenger inner, Crash crash) : IChannelMessenger
    {
        public ChannelKind Channel => inner.Channel;

        public bool CanReach(Person person) => inner.CanReach(person);

        public Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken) => inner.SendAsync(person, reply, cancellationToken);

        public async Task<MessageRef> SendAsync(Person person, Reply reply, string deliveryKey, CancellationToken cancellationToken)
        {
            crash.At(CrashPoint.BeforeSend);
            var sent = await inner.SendAsync(person, reply, deliveryKey, cancellationToken);
            crash.At(CrashPoint.AfterSend);
            return sent;
        }

        public Task<DeliveryLookup> FindDeliveredAsync(Person person, string deliveryKey, CancellationToken cancellationToken) =>
            inner.FindDeliveredAsync(person, deliveryKey, cancellationToken);

        public Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken) => inner.UpdateAsync(message, reply, cancellationToken);

        public Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken) =>
            inner.SendToChannelAsync(channelName, reply, cancellationToken);
    }

    private sealed class CannotTellChannel(Crash crash) : IChannelMessenger
    {
        public int Sends;

        public ChannelKind Channel => ChannelKind.Teams;

        public bool CanReach(Person person) => true;

        public Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Sends);
            crash.At(CrashPoint.AfterSend);
            return Task.FromResult(new MessageRef(ChannelKind.Teams, "a:1", Sends.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        public Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken) => Task.FromResult<MessageRef?>(null);
    }

    private sealed class TestSubject(ComplianceBot.Data.ComplianceDbContext db) : IReminderSubject
    {
        public bool Handles(string subject) => subject.StartsWith("test:", StringComparison.Ordinal);

        public async Task<ReminderMessage?> ComposeAsync(Reminder reminder, CancellationToken cancellationToken) =>
            new(await db.People.SingleAsync(p => p.Id == reminder.RecipientId, cancellationToken), null, new Reply($"About {reminder.Subject}") { Title = "Test reminder" });
    }
}
