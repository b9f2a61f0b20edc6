using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Conversations;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Channels.Slack;

/// <summary>
/// The real host wired to a <see cref="FakeSlack"/>, plus a client that signs requests exactly like Slack does.
/// Tests share one per class and keep apart by using their own Slack user and DM channel ids.
/// </summary>
public sealed class SlackBot : IAsyncLifetime, IAsyncDisposable
{
    public const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string DanaUserId = "UDANA";
    public const string Dana = "dana.reyes@acme.example";

    private HttpClient? _client;

    public SlackBot() : this(null)
    {
    }

    private SlackBot(Action<BotApplication>? configure)
    {
        Slack.Users[DanaUserId] = (Dana, "Dana Reyes");
        Slack.Users["UMARIA"] = ("maria.chen@acme.example", "Maria Chen");
        Slack.Users["UNOBODY"] = ("nobody@elsewhere.example", "No Body");
        App.Settings["Slack:SigningSecret"] = SigningSecret;
        App.Settings["Slack:BotToken"] = FakeSlack.BotToken;
        App.Settings["Slack:ApiBaseUrl"] = Slack.ApiBaseUrl.ToString();
        App.ConfigureTestServices = services => services.AddScoped<IFlow, FormTestFlow>();
        configure?.Invoke(App);
    }

    /// <summary>A bot with extra settings (Socket Mode, a shared data directory) applied before the host starts.</summary>
    public static SlackBot With(Action<BotApplication> configure) => new(configure);

    public FakeSlack Slack { get; } = new();

    public BotApplication App { get; } = new();

    public HttpClient Client => _client ??= App.CreateClient();

    public long Now => App.Clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Posts a body signed with the test secret at <paramref name="timestamp"/> (default: the host's now).</summary>
    public Task<HttpResponseMessage> PostSignedAsync(string path, string body, string contentType, long? timestamp = null, string? signature = null, int? retryNum = null)
    {
        var ts = (timestamp ?? Now).ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Add(SlackSignature.TimestampHeader, ts);
        request.Headers.Add(SlackSignature.SignatureHeader, signature ?? SlackSignature.Sign(SigningSecret, ts, Encoding.UTF8.GetBytes(body)));
        if (retryNum is { } n)
        {
            request.Headers.Add("X-Slack-Retry-Num", n.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }

        return CaptureAsync(Client.SendAsync(request));
    }

    /// <summary>A response_action: update/push answers with a view: checked like every view the host opens.</summary>
    private static async Task<HttpResponseMessage> CaptureAsync(Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            await response.Content.LoadIntoBufferAsync();
            if (JsonNode.Parse(await response.Content.ReadAsStringAsync()) is JsonObject body && body["response_action"] is not null)
            {
                PayloadCapture.AddSlack("response_action", body);
            }
        }

        return response;
    }

    public Task<HttpResponseMessage> PostEventAsync(string eventId, JsonObject e, int? retryNum = null) =>
        PostSignedAsync("/slack/events", EventCallback(eventId, e), "application/json", retryNum: retryNum);

    public Task<HttpResponseMessage> PostInteractionAsync(JsonObject payload) =>
        PostSignedAsync("/slack/interactions", "payload=" + Uri.EscapeDataString(payload.ToJsonString()), "application/x-www-form-urlencoded");

    public Task<HttpResponseMessage> PostCommandAsync(string userId, string channel, string text, string responseId, string? triggerId = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["token"] = "legacy", ["team_id"] = FakeSlack.TeamId, ["team_domain"] = "acme", ["channel_id"] = channel, ["channel_name"] = "directmessage",
            ["user_id"] = userId, ["user_name"] = "someone", ["command"] = "/compliance", ["text"] = text,
            ["response_url"] = Slack.ResponseUrl(responseId), ["trigger_id"] = triggerId ?? "", ["api_app_id"] = "A0TEST",
        };
        return PostSignedAsync("/slack/commands", string.Join('&', fields.Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}")), "application/x-www-form-urlencoded");
    }

    public static string EventCallback(string eventId, JsonObject e) => new JsonObject
    {
        ["token"] = "legacy",
        ["team_id"] = FakeSlack.TeamId,
        ["api_app_id"] = "A0TEST",
        ["event"] = e,
        ["type"] = "event_callback",
        ["event_id"] = eventId,
        ["event_time"] = 1796392800,
        ["authorizations"] = new JsonArray(new JsonObject { ["enterprise_id"] = null, ["team_id"] = FakeSlack.TeamId, ["user_id"] = FakeSlack.BotUserId, ["is_bot"] = true }),
        ["is_ext_shared_channel"] = false,
    }.ToJsonString();

    public static JsonObject DirectMessage(string user, string channel, string text, string ts = "1796392800.000100") => new()
    {
        ["type"] = "message",
        ["channel_type"] = "im",
        ["user"] = user,
        ["channel"] = channel,
        ["text"] = text,
        ["ts"] = ts,
        ["event_ts"] = ts,
    };

    public async Task<int> InboxCountAsync(string eventId)
    {
        await using var scope = App.Scope();
        return await BotApplication.Db(scope).Set<SlackInboxEvent>().CountAsync(e => e.EventId == eventId);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        await App.DisposeAsync();
        await Slack.DisposeAsync();
    }
}

/// <summary>
/// A stand-in for the attestation-style flows other features add: a form with a required choice and free notes,
/// validation errors from the flow, and a result that replaces the message the form came from.
/// </summary>
public sealed class FormTestFlow : IFlow
{
    public const string SubmitId = "formtest.submit";

    public string Name => "formtest";

    public IReadOnlyList<string> Commands { get; } = ["formtest"];

    public Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        if (context.Action is { Id: SubmitId } submit)
        {
            if (submit.Get("notes") == "bad")
            {
                return Task.FromResult<IReadOnlyList<Reply>>([new Reply("Please fix the notes.") { Form = Form() with { Errors = new Dictionary<string, string> { ["notes"] = "Too short" } } }]);
            }

            return Task.FromResult<IReadOnlyList<Reply>>([new Reply($"Recorded {submit.Get("statement")} for task {submit.Get("task")}: {submit.Get("notes")}") { UpdatesSource = true }]);
        }

        return Task.FromResult<IReadOnlyList<Reply>>([new Reply("Please attest.") { Form = Form() }]);
    }

    public static ReplyForm Form() => new("Attest CC6.1", SubmitId, "Submit",
    [
        new ReplyInput("statement", "Statement", InputKind.Choice) { Required = true, Options = [new("performed", "Performed"), new("exceptions", "With exceptions"), new("not_performed", "Not performed")] },
        new ReplyInput("notes", "Notes", InputKind.MultilineText) { Placeholder = "Anything the auditor should know" },
    ])
    { Data = new Dictionary<string, string> { ["task"] = "42" } };
}
