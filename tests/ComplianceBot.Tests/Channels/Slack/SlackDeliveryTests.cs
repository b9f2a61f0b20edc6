using System.Net;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Conversations;
using ComplianceBot.People;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Channels.Slack;

public sealed class SlackDeliveryTests(SlackBot bot) : IClassFixture<SlackBot>
{
    private static async Task<Person> PersonAsync(AsyncServiceScope scope, string email) =>
        await BotApplication.Db(scope).People.SingleAsync(p => p.Email == email);

    [Fact]
    public async Task MessengerDirectMessagesAPersonByEmailAndCanUpdateThatMessageLater()
    {
        await using var scope = bot.App.Scope();
        var messenger = scope.ServiceProvider.GetRequiredService<IMessenger>();
        var maria = await PersonAsync(scope, "maria.chen@acme.example");

        var sent = await messenger.SendAsync(maria, new Reply("Change CR-1 needs your approval") { Title = "Approval", Actions = [new ReplyAction("changes.approve", "Approve")] }, CancellationToken.None);

        Assert.NotNull(sent);
        Assert.Equal(ChannelKind.Slack, sent.Channel);
        Assert.Equal("DUMARIA", sent.ConversationId);
        Assert.Single(bot.Slack.CallsTo("users.lookupByEmail"), c => c.Arg("email") == "maria.chen@acme.example");
        var post = bot.Slack.CallsTo("chat.postMessage").Single(c => c.Arg("channel") == "DUMARIA");
        Assert.Equal(sent.MessageId, (await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DUMARIA")).Arg("ts") ?? sent.MessageId);

        await messenger.UpdateAsync(sent, new Reply("Approved by Maria Chen") { Title = "Approval" }, CancellationToken.None);
        var update = bot.Slack.CallsTo("chat.update").Single(c => c.Arg("channel") == "DUMARIA");
        Assert.Equal(sent.MessageId, update.Arg("ts"));
        Assert.DoesNotContain("actions", update.Args["blocks"]!.ToJsonString());

        // The DM is remembered: the next message needs no lookup.
        await messenger.SendAsync(maria, new Reply("Reminder"), CancellationToken.None);
        Assert.Single(bot.Slack.CallsTo("users.lookupByEmail"), c => c.Arg("email") == "maria.chen@acme.example");
        Assert.Single(bot.Slack.CallsTo("conversations.open"), c => c.Arg("users") == "UMARIA");
        Assert.NotNull(post);
    }

    [Fact]
    public async Task SlackErrorsSurfaceAsTypedExceptionsWithSlacksCode()
    {
        bot.Slack.Enqueue("chat.postMessage", new FakeAnswer(200, new JsonObject { ["ok"] = false, ["error"] = "channel_not_found" }));
        await using var scope = bot.App.Scope();
        var api = scope.ServiceProvider.GetRequiredService<SlackApiClient>();

        var error = await Assert.ThrowsAsync<SlackApiException>(() => api.PostMessageAsync("CNOPE", "hi", null, null, CancellationToken.None));

        Assert.Equal("channel_not_found", error.Error);
        Assert.Equal("chat.postMessage", error.Method);
    }

    [Fact]
    public async Task ServerErrorsAreRetried()
    {
        bot.Slack.Enqueue("views.publish", new FakeAnswer(500, new JsonObject { ["ok"] = false }, RetryAfterSeconds: 0));
        await using var scope = bot.App.Scope();
        var api = scope.ServiceProvider.GetRequiredService<SlackApiClient>();

        await api.PublishViewAsync("URETRY", new JsonObject { ["type"] = "home", ["blocks"] = new JsonArray() }, CancellationToken.None);

        Assert.Equal(2, bot.Slack.CallsTo("views.publish").Count(c => c.Arg("user_id") == "URETRY"));
    }

    [Fact]
    public async Task ComplianceChannelPostsGoToTheConfiguredChannel()
    {
        await using var scope = bot.App.Scope();
        var messenger = scope.ServiceProvider.GetServices<IChannelMessenger>().Single(m => m.Channel == ChannelKind.Slack);

        var none = await messenger.SendToChannelAsync("#compliance", new Reply("Escalation"), CancellationToken.None);
        var direct = await messenger.SendToChannelAsync("C0COMPLY", new Reply("Escalation"), CancellationToken.None);

        Assert.Null(none); // no Slack:ComplianceChannelId in this host
        Assert.Equal("C0COMPLY", direct!.ConversationId);
    }

    [Fact]
    public async Task TokensRevokedStopsProactiveSlackMessages()
    {
        await using var revoked = new SlackBot();
        await revoked.PostEventAsync("EvRevoked", new JsonObject { ["type"] = "tokens_revoked", ["tokens"] = new JsonObject { ["bot"] = new JsonArray("UBOT") } });
        await revoked.PostEventAsync("EvRevokedSentinel", SlackBot.DirectMessage(SlackBot.DanaUserId, "DREVOKED", "help"));
        await revoked.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DREVOKED");

        await using var scope = revoked.App.Scope();
        var slack = scope.ServiceProvider.GetServices<IChannelMessenger>().Single(m => m.Channel == ChannelKind.Slack);
        Assert.False(slack.CanReach(await PersonAsync(scope, SlackBot.Dana)));
        Assert.True(await BotApplication.Db(scope).AuditEvents.AnyAsync(a => a.Action == "slack.tokens_revoked"));
    }

    [Fact]
    public async Task AnEventAcknowledgedBeforeACrashIsProcessedAfterRestart()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "compliancebot-tests", "restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Host 1 acknowledges but never processes (as if killed right after the 200).
            await using (var first = SlackBot.With(app => { app.Settings["DataDirectory"] = dataDirectory; app.Settings["Slack:ProcessInbox"] = "false"; }))
            {
                Assert.Equal(HttpStatusCode.OK, (await first.PostEventAsync("EvCrash", SlackBot.DirectMessage(SlackBot.DanaUserId, "DCRASH", "my tasks"))).StatusCode);
                Assert.Empty(first.Slack.CallsTo("chat.postMessage"));
            }

            await using var second = SlackBot.With(app => app.Settings["DataDirectory"] = dataDirectory);
            _ = second.Client;
            var post = await second.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DCRASH");
            Assert.StartsWith("My tasks", post.Arg("text"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
    }
}
