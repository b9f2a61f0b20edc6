using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ComplianceBot.AccessReviews;
using ComplianceBot.Attestations;
using ComplianceBot.Audit;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Web;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.AccessReviews;
using ComplianceBot.Tests.Channels.Slack;
using ComplianceBot.Tests.Channels.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;

namespace ComplianceBot.Tests.Data;

/// <summary>
/// What several hosts on one database rest on, run on every provider available here (SQLite always, PostgreSQL in CI):
/// claims by conditional UPDATE, unique keys that turn a duplicate into "already there", concurrency tokens, and
/// instants that compare and sort in the database. SQLite has one writer, so only a server database shows real races.
/// </summary>
public sealed class ProviderTests
{
    private const string Dana = "dana.reyes@acme.example";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TwoHostsSweepingAtOnceSendEveryDueReminderExactlyOnce(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var first = Host(database, sharedDataDirectory: null);
        using var second = Host(database, first.DataDirectory);
        _ = first.Services;
        _ = second.Services;
        const int count = 30;
        await using (var scope = first.Scope())
        {
            var dana = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == Dana);
            var planner = scope.ServiceProvider.GetRequiredService<ReminderPlanner>();
            for (var i = 0; i < count; i++)
            {
                await planner.ScheduleAsync($"test:race-{i}", "once", ReminderAudience.Owner, dana.Id, first.Clock.GetUtcNow(), default);
            }
        }

        // Two dispatchers per host, all at once: four lease owners competing for the same rows.
        var results = await Task.WhenAll(
            Dispatcher(first).DispatchDueAsync(default), Dispatcher(second).DispatchDueAsync(default),
            Dispatcher(first).DispatchDueAsync(default), Dispatcher(second).DispatchDueAsync(default));

        Assert.Equal(count, results.Sum(r => r.Sent));
        await using var check = first.Scope();
        var db = BotApplication.Db(check);
        var messages = await db.Set<WebMessage>().AsNoTracking().Where(m => m.ReplyJson.Contains("Provider race")).ToListAsync();
        Assert.Equal(count, messages.Count);
        Assert.Equal(count, messages.Select(m => m.DeliveryKey).Distinct().Count());
        Assert.All(await db.Reminders.AsNoTracking().Where(r => r.Subject.StartsWith("test:race-")).ToListAsync(),
            r => Assert.Equal(ReminderStatus.Sent, r.Status));
        Assert.Equal(count, await db.Outbox.CountAsync(m => EF.Functions.Like(m.Subject, "test:race-%") && m.Status == OutboxStatus.Sent && m.Attempts == 1));
        Assert.Equal(count, await db.AuditEvents.CountAsync(e => e.Action == "reminder.sent" && e.Subject.StartsWith("test:race-")));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ARowLeasedByAHostIsNotClaimedByAnotherUntilTheLeaseRunsOut(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var app = Host(database, sharedDataDirectory: null);
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var dana = await db.People.SingleAsync(p => p.Email == Dana);
            scope.ServiceProvider.GetRequiredService<OutboxWriter>().ToPerson(dana, new Reply("Provider lease"), "test:leased", "test", "test:leased");
            await db.SaveChangesAsync();
            // A host that died holding the lease: the claim an UPDATE made, with nothing sent.
            var lease = app.Clock.GetUtcNow() + TimeSpan.FromMinutes(5);
            Assert.Equal(1, await db.Outbox.Where(m => m.Key == "test:leased")
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseOwner, "dead-host").SetProperty(m => m.LeaseUntil, lease)));
        }

        var outbox = app.Services.GetRequiredService<OutboxDispatcher>();
        Assert.Equal(0, (await outbox.DispatchDueAsync(default)).Sent);
        app.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await outbox.DispatchDueAsync(default)).Sent);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task InstantsInAnyOffsetCompareAndSortInTheDatabaseAndComeBackAsTheSameInstant(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var app = Host(database, sharedDataDirectory: null);
        var noon = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        // Listed out of order; the +09:00 one is the earliest instant although its local clock reads latest.
        var instants = new[] { noon.ToOffset(TimeSpan.FromHours(-5)).AddMinutes(30), noon.ToOffset(TimeSpan.FromHours(9)).AddMinutes(-30), noon };
        await using (var scope = app.Scope())
        {
            var dana = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == Dana);
            var planner = scope.ServiceProvider.GetRequiredService<ReminderPlanner>();
            for (var i = 0; i < instants.Length; i++)
            {
                await planner.ScheduleAsync($"test:when-{i}", "once", ReminderAudience.Owner, dana.Id, instants[i], default);
            }
        }

        await using var check = app.Scope();
        var db = BotApplication.Db(check);
        var ordered = await db.Reminders.AsNoTracking().Where(r => r.Subject.StartsWith("test:when-")).OrderBy(r => r.DueAt).Select(r => r.DueAt).ToListAsync();
        var before = await db.Reminders.AsNoTracking().Where(r => r.Subject.StartsWith("test:when-") && r.DueAt < noon).Select(r => r.Subject).ToListAsync();

        Assert.Equal(instants.OrderBy(i => i.UtcTicks).Select(i => i.UtcDateTime), ordered.Select(d => d.UtcDateTime));
        Assert.Equal(["test:when-1"], before);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ASaveOverAChangeSomeoneElseSavedFirstIsRefusedByTheConcurrencyToken(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var app = Host(database, sharedDataDirectory: null);
        var id = await SubmitAsync(app.CreateAdminClient(), Change(Grace));
        await using var one = app.Scope();
        var mine = await BotApplication.Db(one).ChangeRequests.SingleAsync(c => c.Id == id);

        var cancelled = await app.CreateAdminClient().PostAsync($"/api/changes/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        BotApplication.Db(one).Entry(mine).Property(c => c.Title).CurrentValue = "Edited on a stale copy";
        BotApplication.Db(one).Entry(mine).Property(c => c.Version).CurrentValue = Guid.NewGuid();

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => BotApplication.Db(one).SaveChangesAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TheSameSlackEventsPostedToTwoHostsAtOnceAreStoredOnceAndAnsweredOnce(string provider)
    {
        using var database = TestDatabase.Create(provider);
        var directory = Path.Combine(Path.GetTempPath(), "compliancebot-tests", "provider-" + Guid.NewGuid().ToString("N"));
        await using var first = SlackBot.With(app => { app.Settings["DataDirectory"] = directory; database.Apply(app.Settings); });
        _ = first.Client;
        await using var second = SlackBot.With(app => { app.Settings["DataDirectory"] = directory; database.Apply(app.Settings); });
        _ = second.Client;
        var ids = Enumerable.Range(0, 12).Select(i => $"EvProvider{i}").ToArray();

        var posts = ids.SelectMany(id => new[] { first, second }.Select(bot =>
            bot.PostEventAsync(id, SlackBot.DirectMessage(SlackBot.DanaUserId, "D" + id, "help"))));
        Assert.All(await Task.WhenAll(posts), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await AllProcessedAsync(first.App, ids);

        foreach (var id in ids)
        {
            Assert.Equal(1, await first.InboxCountAsync(id));
            Assert.Single(first.Slack.CallsTo("chat.postMessage").Concat(second.Slack.CallsTo("chat.postMessage")), c => c.Arg("channel") == "D" + id);
        }

        TryDelete(directory);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AChangeApprovalClickDeliveredToTwoTeamsHostsAtOnceIsOneDecision(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var first = new TeamsApplication();
        database.Apply(first.Settings);
        _ = first.Services;
        using var second = first.SecondHost();
        database.Apply(second.Settings);
        _ = second.Services;
        foreach (var (email, name) in new[] { (Grace, "Grace Liu"), (Daniel, "Daniel Levi") })
        {
            var user = email.Split('@')[0];
            first.AddMember("29:" + user, "aad-" + user, email, name);
            foreach (var host in new[] { first, second })
            {
                Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(TeamsActivities.Message(first.Connector.ServiceUrl, "hi", "29:" + user, "aad-" + user))).StatusCode);
            }
        }

        var id = await SubmitAsync(first.CreateAdminClient(), Change(Grace));
        string messageId;
        await using (var scope = first.Scope())
        {
            var db = BotApplication.Db(scope);
            var daniel = await db.People.SingleAsync(p => p.Email == Daniel);
            messageId = (await db.Outbox.SingleAsync(m => m.Key == $"change:{id}:card:{daniel.Id}")).SentMessageId!;
        }

        var approve = TeamsActivities.CardAction(first.Connector.ServiceUrl, "changes.approve",
            new JsonObject { ["change"] = id.ToString(CultureInfo.InvariantCulture) }, "29:daniel.levi", "aad-daniel.levi", messageId);
        var responses = await Task.WhenAll(first.PostAsync(approve.DeepClone().AsObject()), second.PostAsync(approve.DeepClone().AsObject()));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var check = first.Scope();
        var records = BotApplication.Db(check);
        Assert.Equal(1, await records.Set<ChangeDecision>().CountAsync(d => d.ChangeId == id));
        Assert.Equal(1, await records.AuditEvents.CountAsync(e => e.Subject == $"change:{id}" && e.Action == "change.approved"));
        Assert.Equal(ChangeStatus.Approved, (await records.ChangeRequests.SingleAsync(c => c.Id == id)).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AnAccessReviewIsBulkKeptAndSignedOffOnAServerDatabaseThatRetriesTransientFailures(string provider)
    {
        // PostgreSQL runs with EnableRetryOnFailure: an explicit transaction outside its execution strategy throws.
        using var database = TestDatabase.Create(provider);
        using var app = Host(database, sharedDataDirectory: null);
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3); // the baseline that makes three accounts "unchanged"
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        const string aisha = "aisha.khan@acme.example";

        var page = await chat.StartAsync(aisha, id);
        page = await chat.KeepAllAsync(aisha, page);
        foreach (var account in new[] { "arjun-m", "ci-bot", "nina-p" })
        {
            page = await chat.ClickAsync(aisha, ReviewChat.Button(ReviewChat.Item(page, account), "access.keep"));
        }

        var form = await chat.ClickAsync(aisha, ReviewChat.Button(ReviewChat.Item(page, "ethan-b"), "access.revoke"));
        await chat.SubmitAsync(aisha, form, new Dictionary<string, string> { ["reason"] = "Left" });
        var manager = await chat.StartAsync("priya.nair@acme.example", id);
        await chat.ClickAsync("priya.nair@acme.example", ReviewChat.Button(ReviewChat.Item(manager, "aisha-k"), "access.keep"));
        await chat.ClickAsync(aisha, ReviewChat.Button(await chat.StartAsync(aisha, id), "access.sign-off"));

        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var review = await db.Set<AccessReview>().AsNoTracking().SingleAsync(r => r.Id == id);
        Assert.Equal(AccessReviewStatus.SignedOff, review.Status);
        Assert.Equal(7, await db.Set<AccessReviewItem>().CountAsync(i => i.ReviewId == id && i.Decision == AccessDecision.Keep));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "access-review.bulk-kept"));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "access-review.signed-off"));
        Assert.Single(await db.Set<AccessRevocation>().AsNoTracking().Where(r => r.ReviewId == id).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task HashedAndSignedRecordsStillVerifyWhenTheClockHasFinerTicksThanTheDatabaseKeeps(string provider)
    {
        // The soak found it: PostgreSQL keeps microseconds, so a hash over 100 ns ticks no longer matched the stored row.
        using var database = TestDatabase.Create(provider);
        using var app = Host(database, sharedDataDirectory: null);
        app.Clock.Advance(TimeSpan.FromTicks(1_234_567));
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var task = await db.ControlTasks.Include(t => t.Assignee).OrderBy(t => t.Id).FirstAsync(t => t.Status == ControlTaskStatus.Open);
        var result = await scope.ServiceProvider.GetRequiredService<Attestor>().AttestAsync(task.Assignee!,
            new AttestationRequest(task.Id, AttestationOutcome.Performed, "Performed as described.", null, null, ChannelKind.Web, null), CancellationToken.None);
        Assert.IsType<AttestationResult.Recorded>(result);
        app.Clock.Advance(TimeSpan.FromTicks(7_654_321));
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().CreateAsync(CancellationToken.None));

        await using var fresh = app.Scope(); // read back from the database, not from the change tracker
        var verification = await fresh.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
        Assert.True(verification.Checkpoints >= 1);
        var stored = await BotApplication.Db(fresh).Attestations.AsNoTracking().SingleAsync(a => a.TaskId == task.Id);
        Assert.Equal(0, stored.AttestedAt.Ticks % TimeSpan.TicksPerMicrosecond);
    }

    private static BotApplication Host(TestDatabase database, string? sharedDataDirectory)
    {
        var app = sharedDataDirectory is null ? new BotApplication() : new SharedHost(sharedDataDirectory);
        database.Apply(app.Settings);
        app.ConfigureTestServices = services => services.AddScoped<IReminderSubject, RaceSubject>();
        return app;
    }

    /// <summary>Another host's dispatcher (its own lease owner id) on the same database.</summary>
    private static ReminderDispatcher Dispatcher(BotApplication app) => ActivatorUtilities.CreateInstance<ReminderDispatcher>(app.Services);

    /// <summary>Waits (bounded) until every event is marked processed: after that no host picks it up again.</summary>
    private static async Task AllProcessedAsync(BotApplication app, string[] ids)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            await using var scope = app.Scope();
            var done = await BotApplication.Db(scope).Set<SlackInboxEvent>().CountAsync(e => ids.Contains(e.EventId) && e.ProcessedAt != null, timeout.Token);
            if (done == ids.Length)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }

    private static void TryDelete(string directory)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }

    private sealed class SharedHost(string dataDirectory) : BotApplication(dataDirectory);

    private sealed class RaceSubject(ComplianceDbContext db) : IReminderSubject
    {
        public bool Handles(string subject) => subject.StartsWith("test:", StringComparison.Ordinal);

        public async Task<ReminderMessage?> ComposeAsync(Reminder reminder, CancellationToken cancellationToken) =>
            new(await db.People.SingleAsync(p => p.Id == reminder.RecipientId, cancellationToken), null, new Reply($"About {reminder.Subject}") { Title = "Provider race" });
    }
}
