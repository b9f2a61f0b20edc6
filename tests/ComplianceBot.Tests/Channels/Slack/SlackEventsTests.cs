using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Channels.Slack;

public sealed class SlackEventsTests(SlackBot bot) : IClassFixture<SlackBot>
{
    private static JsonArray Blocks(SlackCall call) => call.Args["blocks"]!.AsArray();

    [Fact]
    public async Task UrlVerificationIsAnsweredWithTheChallenge()
    {
        var response = await bot.PostSignedAsync("/slack/events", """{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""", "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("challenge").GetString());
    }

    [Fact]
    public async Task SslCheckIsAnsweredWithoutASignature()
    {
        var response = await bot.Client.PostAsync("/slack/commands", new FormUrlEncodedContent(new Dictionary<string, string> { ["ssl_check"] = "1", ["token"] = "x" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ForgedSignatureIsRefusedAndNothingIsStored()
    {
        var body = SlackBot.EventCallback("EvForged", SlackBot.DirectMessage(SlackBot.DanaUserId, "DFORGED", "my tasks"));
        var response = await bot.PostSignedAsync("/slack/events", body, "application/json", signature: "v0=" + new string('a', 64));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await bot.InboxCountAsync("EvForged"));
    }

    [Theory]
    [InlineData("EvStale", -301)]
    [InlineData("EvFuture", 600)]
    public async Task TimestampsOutsideFiveMinutesAreRefusedAndNothingIsStored(string eventId, int offsetSeconds)
    {
        var body = SlackBot.EventCallback(eventId, SlackBot.DirectMessage(SlackBot.DanaUserId, "DSTALE", "my tasks"));
        var response = await bot.PostSignedAsync("/slack/events", body, "application/json", timestamp: bot.Now + offsetSeconds);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await bot.InboxCountAsync(eventId));
    }

    [Fact]
    public async Task UnsignedRequestsAreRefused()
    {
        var response = await bot.Client.PostAsync("/slack/interactions", new StringContent("payload={}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task MalformedEventBodyIsA400WithoutRetry()
    {
        var response = await bot.PostSignedAsync("/slack/events", """{"type":"event_callback","event":{}}""", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("X-Slack-No-Retry").Single());
    }

    [Fact]
    public async Task DirectMessageMyTasksPostsTheTaskListWithBlocks()
    {
        var response = await bot.PostEventAsync("EvTasks1", SlackBot.DirectMessage(SlackBot.DanaUserId, "DTASKS", "my tasks"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var post = await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DTASKS");
        Assert.Equal(FakeSlack.BotToken, post.Token);
        Assert.StartsWith("My tasks", post.Arg("text"));
        var blocks = Blocks(post);
        Assert.Equal("header", blocks[0]!["type"]!.GetValue<string>());
        Assert.Contains(blocks, b => b!["type"]!.GetValue<string>() == "actions"
            && b["elements"]!.AsArray().Any(e => e!["action_id"]!.GetValue<string>() == MyTasksFlowIds.Details));
        Assert.True(blocks.Count <= SlackRenderer.MaxMessageBlocks);
    }

    [Fact]
    public async Task DuplicateEventIdIsAcknowledgedAndAnsweredOnce()
    {
        static JsonObject E() => SlackBot.DirectMessage(SlackBot.DanaUserId, "DDUP", "help");
        Assert.Equal(HttpStatusCode.OK, (await bot.PostEventAsync("EvDup", E())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bot.PostEventAsync("EvDup", E(), retryNum: 1)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bot.PostEventAsync("EvDup", E(), retryNum: 2)).StatusCode);
        await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DDUP");

        // A later event in the same conversation is processed after the first; once it is answered, nothing else can follow.
        await bot.PostEventAsync("EvDupSentinel", SlackBot.DirectMessage(SlackBot.DanaUserId, "DDUP", "my tasks"));
        await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DDUP" && c.Arg("text")!.StartsWith("My tasks", StringComparison.Ordinal));

        Assert.Equal(1, await bot.InboxCountAsync("EvDup"));
        Assert.Single(bot.Slack.CallsTo("chat.postMessage"), c => c.Arg("channel") == "DDUP" && c.Arg("text")!.Contains("What I can do", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OurOwnBotsMessagesAreIgnored()
    {
        var own = SlackBot.DirectMessage(FakeSlack.BotUserId, "DSELF", "help");
        own["bot_id"] = "BBOT";
        await bot.PostEventAsync("EvSelf", own);
        await bot.PostEventAsync("EvSelfSentinel", SlackBot.DirectMessage(SlackBot.DanaUserId, "DSELF", "my tasks"));

        await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DSELF");
        Assert.Single(bot.Slack.CallsTo("chat.postMessage"), c => c.Arg("channel") == "DSELF");
        Assert.Equal(1, await bot.InboxCountAsync("EvSelf"));
    }

    [Fact]
    public async Task RateLimitedPostIsDeliveredOnceAfterRetryAfter()
    {
        bot.Slack.Enqueue("chat.postMessage", new FakeAnswer(429, new JsonObject { ["ok"] = false, ["error"] = "ratelimited" }, RetryAfterSeconds: 1));

        await bot.PostEventAsync("Ev429", SlackBot.DirectMessage(SlackBot.DanaUserId, "DLIMIT", "help"));

        var delivered = await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DLIMIT" && bot.Slack.CallsTo("chat.postMessage").Count(x => x.Arg("channel") == "DLIMIT") == 2);
        Assert.Contains("What I can do", delivered.Arg("text"));
    }

    [Fact]
    public async Task UnknownSlackUserCanAskButGetsTheUnknownUserMessageForTasks()
    {
        await bot.PostEventAsync("EvUnknown", SlackBot.DirectMessage("UNOBODY", "DNOBODY", "my tasks"));

        var post = await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DNOBODY");
        Assert.Contains("couldn't find you in the company directory", post.Arg("text"));
    }

    [Fact]
    public async Task AppMentionIsAnsweredInTheThreadWithoutTheMention()
    {
        await bot.PostEventAsync("EvMention", new JsonObject
        {
            ["type"] = "app_mention", ["user"] = SlackBot.DanaUserId, ["channel"] = "CMENTION", ["text"] = $"<@{FakeSlack.BotUserId}> help", ["ts"] = "1796392800.000200",
        });

        var post = await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "CMENTION");
        Assert.Equal("1796392800.000200", post.Arg("thread_ts"));
        Assert.Contains("What I can do", post.Arg("text"));
    }

    [Fact]
    public async Task AppHomeShowsMyTasksAndQuickActions()
    {
        await bot.PostEventAsync("EvHome", new JsonObject { ["type"] = "app_home_opened", ["user"] = SlackBot.DanaUserId, ["channel"] = "DHOME", ["tab"] = "home" });

        var publish = await bot.Slack.WaitForAsync(c => c.Method == "views.publish" && c.Arg("user_id") == SlackBot.DanaUserId);
        var view = publish.Args["view"]!;
        Assert.Equal("home", view["type"]!.GetValue<string>());
        var json = view.ToJsonString();
        Assert.Contains("My tasks", json);
        Assert.Contains("Quick actions", json);
        // Dana is a compliance admin: the home opens on the program status, with its drill-down buttons.
        Assert.Contains("Program status", json);
        Assert.Contains(global::ComplianceBot.ProgramStatus.StatusFlow.OverdueAction, json);
        Assert.True(view["blocks"]!.AsArray().Count <= SlackRenderer.MaxModalBlocks);
    }

    [Fact]
    public async Task SharedFileIsDownloadedWithTheBotTokenAndHandedToTheEvidenceFlowOnce()
    {
        bot.Slack.Files["FEVID"] = "system,account\nGitHub,alice\n"u8.ToArray();
        var e = SlackBot.DirectMessage(SlackBot.DanaUserId, "DFILE", "here is the export");
        e["subtype"] = "file_share";
        e["files"] = new JsonArray(new JsonObject { ["id"] = "FEVID", ["name"] = "export.csv", ["mimetype"] = "text/plain", ["url_private_download"] = bot.Slack.FileUrl("FEVID") });
        await bot.PostEventAsync("EvFile", e);
        // Slack announces the same file again as file_shared: it must not become a second turn.
        await bot.PostEventAsync("EvFileShared", new JsonObject { ["type"] = "file_shared", ["file_id"] = "FEVID", ["user_id"] = SlackBot.DanaUserId, ["channel_id"] = "DFILE", ["file"] = new JsonObject { ["id"] = "FEVID" } });
        await bot.PostEventAsync("EvFileSentinel", SlackBot.DirectMessage(SlackBot.DanaUserId, "DFILE", "help"));

        // The evidence flow read the bytes (it fingerprints them) and asks which task, as a form behind an "open" button.
        var post = await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DFILE" && c.Arg("text")!.Contains("I received export.csv", StringComparison.Ordinal));
        Assert.Contains(SlackRenderer.OpenFormActionId, post.Args["blocks"]!.ToJsonString());
        await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DFILE" && c.Arg("text")!.Contains("What I can do", StringComparison.Ordinal));
        Assert.Single(bot.Slack.CallsTo("chat.postMessage"), c => c.Arg("channel") == "DFILE" && c.Arg("text")!.Contains("I received", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFileThatComesBackAsAnHtmlLoginPageIsAnError()
    {
        await using var scope = bot.App.Scope();
        var api = scope.ServiceProvider.GetRequiredService<SlackApiClient>();

        var error = await Assert.ThrowsAsync<SlackFileDownloadException>(() => api.DownloadAsync(bot.Slack.FileUrl("FMISSING"), CancellationToken.None));
        Assert.Contains("text/html", error.Message);
    }

    [Theory]
    [InlineData("https://attacker.example/f")]
    [InlineData("http://files.slack.com/files-pri/T1-F1/x.pdf")]
    [InlineData("https://files.slack.com:8443/files-pri/T1-F1/x.pdf")]
    [InlineData("https://user:pw@files.slack.com/files-pri/T1-F1/x.pdf")]
    [InlineData("https://files.slack.com.attacker.example/x.pdf")]
    public async Task TheBotTokenIsSentOnlyToHttpsOnPort443OfSlackHosts(string url)
    {
        await using var scope = bot.App.Scope();
        var api = scope.ServiceProvider.GetRequiredService<SlackApiClient>();

        await Assert.ThrowsAsync<SlackFileDownloadException>(() => api.DownloadAsync(url, CancellationToken.None));
    }

    [Fact]
    public async Task TheBotTokenIsNotSentToAnotherPortOfTheConfiguredApiHost()
    {
        await using var scope = bot.App.Scope();
        var api = scope.ServiceProvider.GetRequiredService<SlackApiClient>();
        var other = new UriBuilder(bot.Slack.FileUrl("FEVID")) { Port = bot.Slack.ApiBaseUrl.Port == 1 ? 2 : 1 }.Uri.ToString();

        await Assert.ThrowsAsync<SlackFileDownloadException>(() => api.DownloadAsync(other, CancellationToken.None));
    }
}

internal static class MyTasksFlowIds
{
    public const string Details = ComplianceBot.Tasks.MyTasksFlow.DetailsAction;
}
