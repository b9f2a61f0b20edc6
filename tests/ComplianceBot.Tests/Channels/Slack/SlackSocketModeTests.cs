using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Tests.Fakes;

namespace ComplianceBot.Tests.Channels.Slack;

public sealed class SlackSocketModeTests
{
    [Fact]
    public async Task EnvelopesAreAcknowledgedOnTheSocketAndHandledLikeHttpAndADisconnectReconnects()
    {
        await using var bot = new SocketBot();
        var slack = bot.Slack;
        var e = new JsonObject
        {
            ["type"] = "events_api",
            ["envelope_id"] = "env-1",
            ["accepts_response_payload"] = false,
            ["retry_attempt"] = 0,
            ["payload"] = JsonNode.Parse(SlackBot.EventCallback("EvSocket", SlackBot.DirectMessage(SlackBot.DanaUserId, "DSOCKET", "help"))),
        };
        slack.SocketScripts.Enqueue([e, new JsonObject { ["type"] = "disconnect", ["reason"] = "refresh_requested" }]);
        var command = new JsonObject
        {
            ["type"] = "slash_commands",
            ["envelope_id"] = "env-2",
            ["accepts_response_payload"] = true,
            ["payload"] = new JsonObject
            {
                ["team_id"] = FakeSlack.TeamId, ["user_id"] = SlackBot.DanaUserId, ["channel_id"] = "CSOCKET", ["command"] = "/compliance", ["text"] = "tasks",
                ["response_url"] = slack.ResponseUrl("socket-cmd"), ["trigger_id"] = "trigger-socket",
            },
        };
        slack.SocketScripts.Enqueue([command]);

        _ = bot.Client; // starts the host, which dials out over Socket Mode

        var eventAck = await slack.WaitForAsync(c => c.Method == "socket_ack" && c.Arg("envelope_id") == "env-1");
        Assert.Null(eventAck.Args["payload"]);
        await slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DSOCKET");
        Assert.Equal(FakeSlack.AppToken, slack.CallsTo("apps.connections.open")[0].Token);

        // After "disconnect" the client opens a fresh connection, which delivers the slash command.
        var commandAck = await slack.WaitForAsync(c => c.Method == "socket_ack" && c.Arg("envelope_id") == "env-2");
        Assert.Equal("ephemeral", commandAck.Args["payload"]!["response_type"]!.GetValue<string>());
        await slack.WaitForAsync(c => c.Method == "response_url" && c.Arg("_response_id") == "socket-cmd");
        Assert.True(slack.CallsTo("apps.connections.open").Count >= 2);
        Assert.True(slack.SocketConnections >= 2);
    }

    [Fact]
    public void ReconnectBackoffGrowsWithJitterAndIsCapped()
    {
        Assert.InRange(SlackSocketMode.Backoff(1), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        Assert.InRange(SlackSocketMode.Backoff(3), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        Assert.InRange(SlackSocketMode.Backoff(50), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
    }

    private sealed class SocketBot : IAsyncDisposable
    {
        private readonly SlackBot _bot = SlackBot.With(app => app.Settings["Slack:AppToken"] = FakeSlack.AppToken);

        public FakeSlack Slack => _bot.Slack;

        public HttpClient Client => _bot.Client;

        public async ValueTask DisposeAsync() => await _bot.DisposeAsync();
    }
}
