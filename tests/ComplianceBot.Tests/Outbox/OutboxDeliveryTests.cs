using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Web;
using System.Diagnostics.Metrics;
using ComplianceBot.Conversations;
using ComplianceBot.Operations;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Tests.Outbox;

/// <summary>
/// The outbox's guarantees, host by host: a row committed by a host that died before sending goes out once; a send that
/// happened just before the host died is recognised by its key instead of repeated; hosts on one database never both
/// send a row; a row that keeps failing is parked, audited, alerted and listed. A "dying host" is a cancelled token
/// thrown from inside the channel, as a shutdown mid-send would; "restart" is a new dispatcher after the lease ran out.
/// </summary>
public sealed class OutboxDeliveryTests
{
    private const string Dana = "dana.reyes@acme.example";
    private const string DanaDm = "DUDANA"; // the fake's conversations.open answers "D" + the user id

    [Fact]
    public async Task ARowCommittedByAHostThatDiedBeforeSendingIsDeliveredOnceAfterTheRestart()
    {
        using var app = new BotApplication();
        await WriteAsync(app, (outbox, dana) => outbox.ToPerson(dana, new Reply("Committed, never sent") { Title = "Outbox test" }, "test:committed", "test", "test:1"));

        // The host died right after the commit: nothing was delivered.
        Assert.Empty(await WebInboxAsync(app));

        var restarted = NewHost(app);
        var first = await restarted.DispatchDueAsync(default);
        var again = await NewHost(app).DispatchDueAsync(default);

        Assert.Equal((1, 0), (first.Sent, again.Sent));
        var message = Assert.Single(await WebInboxAsync(app));
        Assert.Equal("test:committed", message.DeliveryKey);
        Assert.Equal(OutboxStatus.Sent, (await RowAsync(app, "test:committed")).Status);
    }

    [Fact]
    public async Task ASlackReplySentJustBeforeTheHostDiedIsRecognisedByItsKeyAndOnlyTheRestIsSent()
    {
        await using var slack = new FakeSlack();
        using var crash = new Crash();
        using var app = WithCrashingSlack(slack, crash);
        await WriteAsync(app, (outbox, _) => outbox.ToConversation(new ConversationTarget(ChannelKind.Slack, DanaDm),
            [new Reply("First part"), new Reply("Second part")], "slack:T0TEST:Ev1", "slack.reply", "slack/T0TEST"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewHost(app).DispatchDueAsync(crash.Token));
        Assert.Single(slack.CallsTo("chat.postMessage")); // the first part reached Slack, its outcome was never saved
        Assert.Equal(0, (await NewHost(app).DispatchDueAsync(default)).Sent); // the dead host's lease still holds

        app.Clock.Advance(LeaseOf(app) + TimeSpan.FromSeconds(1));
        var result = await NewHost(app).DispatchDueAsync(default);

        Assert.Equal(1, result.Sent);
        var posts = slack.CallsTo("chat.postMessage");
        Assert.Equal(["First part", "Second part"], posts.Select(p => p.Arg("text") ?? ""));
        Assert.Equal(["slack:T0TEST:Ev1", "slack:T0TEST:Ev1#1"], posts.Select(p => p.Args["metadata"]?["event_payload"]?["key"]?.GetValue<string>() ?? ""));
        Assert.Single(slack.CallsTo("conversations.history")); // asked once, about the part in doubt
        var row = await RowAsync(app, "slack:T0TEST:Ev1");
        Assert.Equal((OutboxStatus.Sent, 2, DanaDm), (row.Status, row.PartsSent, row.SentConversationId));
    }

    [Fact]
    public async Task TwoHostsOnOneSqliteFileNeverSendARowTwice()
    {
        var sent = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var first = new BotApplication();
        using var second = new SecondHost(first.DataDirectory);
        foreach (var host in new[] { first, second })
        {
            host.ConfigureTestServices = services => services.AddSingleton<IChannelMessenger>(new RecordingChannel(sent));
        }

        const int count = 60;
        await WriteAsync(first, (outbox, dana) =>
        {
            for (var i = 0; i < count; i++)
            {
                outbox.ToPerson(dana, new Reply($"Message {i}") { Title = "Outbox test" }, $"test:two-hosts:{i}", "test", "test:two-hosts");
            }
        });

        var results = await Task.WhenAll(
            Task.Run(() => first.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(default)),
            Task.Run(() => second.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(default)));

        // Which host claims how many rows depends on scheduling (one may take them all); none may be sent twice.
        Assert.Equal(count, results.Sum(r => r.Sent));
        Assert.Equal(count, sent.Count);
        Assert.Equal(count, sent.Distinct().Count());
    }

    [Fact]
    public async Task ARowThatKeepsFailingIsParkedAfterTheLastAttemptAuditedAlertedAndListed()
    {
        using var app = new BotApplication();
        app.Settings["Outbox:MaxAttempts"] = "2";
        app.Settings["Outbox:RetryDelay"] = "00:01:00";
        app.Settings["WebChat:Enabled"] = "false";
        var down = new DownChannel();
        app.ConfigureTestServices = services => services.AddSingleton<IChannelMessenger>(down);
        await WriteAsync(app, (outbox, dana) => outbox.ToPerson(dana, new Reply("Never arrives") { Title = "Outbox test" }, "test:parked", "test", "test:parked"));
        var dispatcher = NewHost(app);

        Assert.Equal(1, (await dispatcher.DispatchDueAsync(default)).Retrying);
        app.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, (await dispatcher.DispatchDueAsync(default)).Retrying + (await dispatcher.DispatchDueAsync(default)).Failed);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await dispatcher.DispatchDueAsync(default)).Failed);
        app.Clock.Advance(TimeSpan.FromHours(1));
        await dispatcher.DispatchDueAsync(default);

        Assert.Equal(2, down.Sends);
        var row = await RowAsync(app, "test:parked");
        Assert.Equal((OutboxStatus.Parked, 2), (row.Status, row.Attempts));
        Assert.Contains("Teams is down", row.LastError);
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "test.failed" && e.Subject == "test:parked"));
        var alert = Assert.Single(down.Posts);
        Assert.Equal("Delivery failed", alert.Title);
        Assert.Contains("\"Outbox test\" to dana.reyes@acme.example after 2 attempts", alert.Text, StringComparison.Ordinal);
        var listed = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/outbox?status=Parked");
        var item = Assert.Single(listed.EnumerateArray());
        Assert.Equal(("test:parked", Dana, 2), (item.GetProperty("key").GetString(), item.GetProperty("to").GetString(), item.GetProperty("attempts").GetInt32()));
        var refused = await app.CreateAdminClient().GetAsync("/api/admin/outbox?status=Lost");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task EveryFailedAttemptIsCountedAsADeliveryFailureByChannelAndKind()
    {
        using var app = new BotApplication();
        app.Settings["Outbox:MaxAttempts"] = "2";
        app.Settings["Outbox:RetryDelay"] = "00:01:00";
        app.Settings["WebChat:Enabled"] = "false";
        app.ConfigureTestServices = services => services.AddSingleton<IChannelMessenger>(new DownChannel());
        _ = app.CreateClient();
        using var failures = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), ComplianceMetrics.Name, "compliancebot.delivery.failures");
        await WriteAsync(app, (outbox, dana) => outbox.ToPerson(dana, new Reply("Never arrives") { Title = "Outbox test" }, "test:metric", "test", "test:metric"));
        var dispatcher = NewHost(app);

        await dispatcher.DispatchDueAsync(default);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.DispatchDueAsync(default);
        await dispatcher.DispatchDueAsync(default); // parked: nothing more is tried, nothing more is counted

        var counted = failures.GetMeasurementSnapshot();
        Assert.Equal(2, counted.Count);
        Assert.All(counted, m => Assert.Equal((1L, "Teams", "Person"), (m.Value, (string?)m.Tags["channel"], (string?)m.Tags["kind"])));
    }

    private static async Task WriteAsync(BotApplication app, Action<OutboxWriter, Person> write)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        write(scope.ServiceProvider.GetRequiredService<OutboxWriter>(), await db.People.SingleAsync(p => p.Email == Dana));
        await db.SaveChangesAsync();
    }

    /// <summary>A freshly started host's dispatcher (its own lease owner id) on the same database.</summary>
    private static OutboxDispatcher NewHost(BotApplication app) => ActivatorUtilities.CreateInstance<OutboxDispatcher>(app.Services);

    private static TimeSpan LeaseOf(BotApplication app) => app.Services.GetRequiredService<IOptions<OutboxOptions>>().Value.Lease;

    private static async Task<OutboxMessage> RowAsync(BotApplication app, string key)
    {
        await using var scope = app.Scope();
        return await BotApplication.Db(scope).Outbox.AsNoTracking().SingleAsync(m => m.Key == key);
    }

    private static async Task<List<WebMessage>> WebInboxAsync(BotApplication app)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var dana = await db.People.SingleAsync(p => p.Email == Dana);
        return await db.Set<WebMessage>().AsNoTracking().Where(m => m.PersonId == dana.Id).OrderBy(m => m.Id).ToListAsync();
    }

    private static BotApplication WithCrashingSlack(FakeSlack slack, Crash crash)
    {
        slack.Users["UDANA"] = (Dana, "Dana Reyes");
        var app = new BotApplication();
        app.Settings["Slack:SigningSecret"] = "8f742231b10e8888abcd99yyyzzz85a5";
        app.Settings["Slack:BotToken"] = FakeSlack.BotToken;
        app.Settings["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString();
        app.ConfigureTestServices = services =>
        {
            var real = services.Single(d => d.ServiceType == typeof(IChannelMessenger) && d.ImplementationType == typeof(SlackMessenger));
            services.Remove(real);
            services.AddScoped<IChannelMessenger>(sp => new CrashAfterFirstPart(ActivatorUtilities.CreateInstance<SlackMessenger>(sp), crash));
        };
        return app;
    }

    /// <summary>A second host on the first one's SQLite file and evidence folder.</summary>
    private sealed class SecondHost(string dataDirectory) : BotApplication(dataDirectory);

    /// <summary>Kills the "host" once: cancels the token the dispatcher runs with and throws.</summary>
    private sealed class Crash : IDisposable
    {
        private readonly CancellationTokenSource _source = new();
        private int _parts;

        public CancellationToken Token => _source.Token;

        /// <summary>Called after each part reached the channel: the first one takes the host down.</summary>
        public void AfterPart()
        {
            if (Interlocked.Increment(ref _parts) == 1)
            {
                _source.Cancel();
                _source.Token.ThrowIfCancellationRequested();
            }
        }

        public void Dispose() => _source.Dispose();
    }

    /// <summary>Slack that delivers the first part of a reply and then takes the host down.</summary>
    private sealed class CrashAfterFirstPart(IChannelMessenger inner, Crash crash) : IChannelMessenger
    {
        public ChannelKind Channel => inner.Channel;

        public bool CanReach(Person person) => inner.CanReach(person);

        public Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken) => inner.SendAsync(person, reply, cancellationToken);

        public Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken) => inner.UpdateAsync(message, reply, cancellationToken);

        public Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken) => inner.SendToChannelAsync(channelName, reply, cancellationToken);

        public async Task<MessageRef> SendToConversationAsync(ConversationTarget target, Reply reply, string deliveryKey, CancellationToken cancellationToken)
        {
            var sent = await inner.SendToConversationAsync(target, reply, deliveryKey, cancellationToken);
            crash.AfterPart();
            return sent;
        }

        public Task<DeliveryLookup> FindDeliveredInConversationAsync(ConversationTarget target, string deliveryKey, CancellationToken cancellationToken) =>
            inner.FindDeliveredInConversationAsync(target, deliveryKey, cancellationToken);
    }

    /// <summary>A channel that reaches everyone and fails every send (preferred over the web chat, which stays for alerts).</summary>
    private sealed class DownChannel : IChannelMessenger
    {
        public int Sends;

        public ChannelKind Channel => ChannelKind.Teams;

        public bool CanReach(Person person) => true;

        public Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Sends);
            throw new MessageDeliveryException("Teams is down.", null);
        }

        public Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken) => Task.CompletedTask;

        public System.Collections.Concurrent.ConcurrentQueue<Reply> Posts { get; } = new();

        public Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken)
        {
            Posts.Enqueue(reply);
            return Task.FromResult<MessageRef?>(new MessageRef(ChannelKind.Teams, channelName, "alert"));
        }
    }

    /// <summary>Counts every keyed send, across hosts: the preferred channel for everyone.</summary>
    private sealed class RecordingChannel(System.Collections.Concurrent.ConcurrentBag<string> keys) : IChannelMessenger
    {
        public ChannelKind Channel => ChannelKind.Slack;

        public bool CanReach(Person person) => true;

        public Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Every outbox send carries its key.");

        public Task<MessageRef> SendAsync(Person person, Reply reply, string deliveryKey, CancellationToken cancellationToken)
        {
            keys.Add(deliveryKey);
            return Task.FromResult(new MessageRef(ChannelKind.Slack, "D1", deliveryKey));
        }

        public Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken) => Task.FromResult<MessageRef?>(null);
    }
}
