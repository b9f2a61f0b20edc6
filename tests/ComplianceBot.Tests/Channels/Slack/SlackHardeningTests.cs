using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ComplianceBot.Tests.Channels.Slack.SlackPayloads;

namespace ComplianceBot.Tests.Channels.Slack;

/// <summary>Signed Slack requests that used to fail with a 500, block the inbox or be acted on twice.</summary>
public sealed class SlackHardeningTests(SlackBot bot) : IClassFixture<SlackBot>
{
    [Fact]
    public async Task AnUnreadableInboxRowIsRetriedThenParkedAuditedAndListedWhileTheRestOfItsBatchIsAnswered()
    {
        await using var host = SlackBot.With(app =>
        {
            app.Settings["Slack:ProcessInbox"] = "false";
            app.Settings["Slack:InboxMaxAttempts"] = "2";
        });
        var broken = SlackBot.EventCallback("EvBroken", SlackBot.DirectMessage(SlackBot.DanaUserId, "DBROKEN", "my tasks")) + " xyz";
        Assert.Equal(HttpStatusCode.OK, (await host.PostSignedAsync("/slack/events", broken, "application/json")).StatusCode);
        var surrogate = SlackBot.EventCallback("EvSurrogate", SlackBot.DirectMessage("PLACEHOLDER", "DSURROGATE", "my tasks")).Replace("PLACEHOLDER", "\\ud800", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await host.PostSignedAsync("/slack/events", surrogate, "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostEventAsync("EvAfterBroken", SlackBot.DirectMessage(SlackBot.DanaUserId, "DAFTER", "my tasks"))).StatusCode);
        var processor = host.App.Services.GetRequiredService<SlackInboxProcessor>();

        Assert.Equal(3, await processor.RunOnceAsync(CancellationToken.None));
        await host.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DAFTER");
        host.App.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await processor.RunOnceAsync(CancellationToken.None));

        await using var scope = host.App.Scope();
        var db = BotApplication.Db(scope);
        var row = await db.Set<SlackInboxEvent>().AsNoTracking().SingleAsync(e => e.EventId == "EvBroken");
        Assert.NotNull(row.ProcessedAt);
        Assert.NotNull(row.Error);
        Assert.NotNull((await db.Set<SlackInboxEvent>().AsNoTracking().SingleAsync(e => e.EventId == "EvSurrogate")).ProcessedAt);
        Assert.Single(await db.AuditEvents.Where(e => e.Action == "slack.event_parked" && e.Subject == $"slack-event:{FakeSlack.TeamId}/EvBroken").ToListAsync());
        Assert.Equal(0, await processor.RunOnceAsync(CancellationToken.None));
        var admin = host.App.CreateAdminClient();
        var parked = await admin.GetFromJsonAsync<JsonElement>("/api/admin/slack/parked");
        Assert.Equal("EvBroken", Assert.Single(parked.EnumerateArray()).GetProperty("eventId").GetString());
        Assert.DoesNotContain(host.Slack.Calls, c => c.Arg("channel") is "DBROKEN" or "DSURROGATE");
    }

    [Fact]
    public async Task AnEventOverOneMegabyteIs413AndNotStored()
    {
        var huge = SlackBot.EventCallback("EvHuge", SlackBot.DirectMessage(SlackBot.DanaUserId, "DHUGE", "my tasks " + new string('x', 1 << 20)));

        var response = await bot.PostSignedAsync("/slack/events", huge, "application/json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await using var scope = bot.App.Scope();
        Assert.False(await BotApplication.Db(scope).Set<SlackInboxEvent>().AnyAsync(e => e.EventId == "EvHuge"));
    }

    [Fact]
    public async Task AnIdenticalSignedSubmissionIsRefusedAndTheSameViewIsActedOnOnce()
    {
        var view = SlackRenderer.RenderModal(FormTestFlow.Form(), null, SlackResponder.ContextFor(FormTestFlow.Form(), "DREPLAY", "1796392800.000900"));
        var payload = ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = Selected("performed"), ["notes"] = Typed("once") });
        var body = "payload=" + Uri.EscapeDataString(payload.ToJsonString());
        var timestamp = bot.Now;

        var first = await bot.PostSignedAsync("/slack/interactions", body, "application/x-www-form-urlencoded", timestamp);
        var second = await bot.PostSignedAsync("/slack/interactions", body, "application/x-www-form-urlencoded", timestamp);
        var third = await bot.PostSignedAsync("/slack/interactions", body, "application/x-www-form-urlencoded", timestamp);
        // The same view submitted again under a fresh signature (a second host, or Slack itself) is a no-op, not a second record.
        var resigned = await bot.PostSignedAsync("/slack/interactions", body, "application/x-www-form-urlencoded", timestamp + 1);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, third.StatusCode);
        Assert.Equal(HttpStatusCode.OK, resigned.StatusCode);
        var sentinel = SlackRenderer.RenderModal(FormTestFlow.Form(), null, SlackResponder.ContextFor(FormTestFlow.Form(), "DREPLAY", "1796392800.000901"));
        await bot.PostInteractionAsync(ViewSubmission(SlackBot.DanaUserId, sentinel, new() { ["statement"] = Selected("performed"), ["notes"] = Typed("sentinel") }));
        await bot.Slack.WaitForAsync(c => c.Method == "chat.update" && c.Arg("channel") == "DREPLAY" && c.Arg("text")!.EndsWith("sentinel", StringComparison.Ordinal));
        await bot.Slack.WaitForAsync(c => c.Method == "chat.update" && c.Arg("channel") == "DREPLAY" && c.Arg("text")!.EndsWith("once", StringComparison.Ordinal));
        Assert.Single(bot.Slack.Calls, c => c.Method == "chat.update" && c.Arg("channel") == "DREPLAY" && c.Arg("text")!.EndsWith("once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASubmissionRefusedWithValidationErrorsCanBeCorrectedInTheSameView()
    {
        var view = SlackRenderer.RenderModal(FormTestFlow.Form(), null, SlackResponder.ContextFor(FormTestFlow.Form(), "DCORRECT", "1796392800.000902"));

        var refused = await bot.PostInteractionAsync(ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = Selected("performed"), ["notes"] = Typed("bad") }, viewId: "VCORRECT"));
        var corrected = await bot.PostInteractionAsync(ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = Selected("performed"), ["notes"] = Typed("fixed") }, viewId: "VCORRECT"));

        Assert.Equal("errors", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("response_action").GetString());
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        await bot.Slack.WaitForAsync(c => c.Method == "chat.update" && c.Arg("channel") == "DCORRECT" && c.Arg("text")!.EndsWith("fixed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AClickDeliveredTwiceWithTheSameTriggerIsActedOnOnce()
    {
        var click = BlockAction(SlackBot.DanaUserId, "DTWICE", "1796392800.000903", MyTasksFlowIds.Details, "{}", "trigger-twice");
        var first = await bot.PostInteractionAsync(click);
        var again = await bot.PostSignedAsync("/slack/interactions", "payload=" + Uri.EscapeDataString(click.ToJsonString()), "application/x-www-form-urlencoded", bot.Now + 1);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await using var scope = bot.App.Scope();
        Assert.Equal(1, await BotApplication.Db(scope).Set<SlackSeenRequest>().CountAsync(r => r.Key == SlackReplayGuard.TriggerKey("trigger-twice")));
    }

    public static TheoryData<string, HttpStatusCode> MalformedInteractions()
    {
        var context = JsonNode.Parse(SlackResponder.ContextFor(FormTestFlow.Form(), "DMALFORMED", null).Serialize())!.AsObject();
        context["required"] = null;
        var view = SlackRenderer.RenderModal(FormTestFlow.Form(), null, SlackResponder.ContextFor(FormTestFlow.Form(), "DMALFORMED", null));
        var requiredNull = ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = Selected("performed") });
        requiredNull["view"]!["private_metadata"] = context.ToJsonString();
        var stateNotObject = ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = Selected("performed") });
        stateNotObject["view"]!["state"]!["values"]!["statement"] = 42;
        var stateValuesArray = ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = Selected("performed") });
        stateValuesArray["view"]!["state"] = new JsonArray(1, 2);
        var missingView = ViewSubmission(SlackBot.DanaUserId, view, []);
        missingView.Remove("view");
        return new()
        {
            { "null", HttpStatusCode.BadRequest },
            { "1", HttpStatusCode.BadRequest },
            { "[]", HttpStatusCode.BadRequest },
            { "\"text\"", HttpStatusCode.BadRequest },
            { missingView.ToJsonString(), HttpStatusCode.BadRequest },
            { requiredNull.ToJsonString(), HttpStatusCode.OK },
            { stateNotObject.ToJsonString(), HttpStatusCode.OK },
            { stateValuesArray.ToJsonString(), HttpStatusCode.OK },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedInteractions))]
    public async Task MalformedInteractionPayloadsAreAnsweredWithoutAServerError(string payload, HttpStatusCode expected)
    {
        var response = await bot.PostSignedAsync("/slack/interactions", "payload=" + Uri.EscapeDataString(payload), "application/x-www-form-urlencoded");

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"type\":\"event_callback\",\"team_id\":\"\\ud800\",\"event_id\":\"EvS1\",\"event\":{\"type\":\"message\"}}")]
    [InlineData("{\"type\":\"\\ud800\",\"team_id\":\"T1\",\"event_id\":\"EvS2\",\"event\":{\"type\":\"message\"}}")]
    [InlineData("{\"type\":\"event_callback\",\"team_id\":\"T1\",\"event_id\":\"EvS3\",\"event\":{\"type\":\"\\udfff\"}}")]
    public async Task EventEnvelopesWithLoneSurrogatesAreA400(string body)
    {
        var response = await bot.PostSignedAsync("/slack/events", body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ResponseUrlPathsNeverReachTheLog()
    {
        var logs = new AllLevelsLogCapture();
        await using var host = SlackBot.With(app =>
        {
            app.Settings["Logging:LogLevel:Default"] = "Trace";
            var previous = app.ConfigureTestServices;
            app.ConfigureTestServices = services =>
            {
                previous?.Invoke(services);
                services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
            };
        });

        await host.PostCommandAsync(SlackBot.DanaUserId, "DLOGS", "help", "secret-capability-7f3a");
        await host.Slack.WaitForAsync(c => c.Method == "response_url" && c.Arg("_response_id") == "secret-capability-7f3a");

        // The request is still logged (method, host, the path's first segment), only without the capability.
        Assert.Contains(logs.Messages, m => m.Contains("/response/", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("secret-capability-7f3a", StringComparison.Ordinal));
    }

    /// <summary>Every log message at every level, rendered.</summary>
    private sealed class AllLevelsLogCapture : Microsoft.Extensions.Logging.ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(AllLevelsLogCapture owner) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception.Message) + " " + string.Join(' ', (state as IEnumerable<KeyValuePair<string, object?>>)?.Select(p => Convert.ToString(p.Value, CultureInfo.InvariantCulture)) ?? []));
        }
    }
}
