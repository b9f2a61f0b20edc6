using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComplianceBot.Tests.Fakes;

/// <summary>One recorded Web API call: the method, the bearer token and the arguments (JSON body or form fields as JSON).</summary>
public sealed record SlackCall(string Method, string? Token, JsonObject Args)
{
    public string? Arg(string name) => Args[name] is JsonValue v ? v.ToString() : Args[name]?.ToJsonString();
}

/// <summary>A scripted answer: status, JSON body, optional Retry-After seconds.</summary>
public sealed record FakeAnswer(int Status, JsonObject Body, int? RetryAfterSeconds = null);

/// <summary>
/// A fake Slack on 127.0.0.1 speaking the real wire format: Web API under /api/{method} (records every call, can be told
/// to answer 429 + Retry-After, 500 or ok:false), file downloads that need the bot token (else an HTML login page),
/// upload and response_url sinks, and a Socket Mode WebSocket endpoint.
/// </summary>
public sealed class FakeSlack : IAsyncDisposable
{
    public const string BotToken = "xoxb-test-token";
    public const string AppToken = "xapp-test-token";
    public const string TeamId = "T0TEST";
    public const string BotUserId = "UBOT";
    public const string BotId = "BBOT";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SlackCall> _calls = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeAnswer>> _scripted = new();
    private readonly List<(Func<SlackCall, bool> Match, TaskCompletionSource<SlackCall> Done)> _waiters = [];
    private int _ts;

    public FakeSlack()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseWebSockets();
        _app.MapPost("/api/{method}", ApiAsync);
        _app.MapGet("/files/{id}", FileAsync);
        _app.MapPost("/upload/{id}", async (string id, HttpRequest request) =>
        {
            using var ms = new MemoryStream();
            await request.Body.CopyToAsync(ms);
            Record(new SlackCall("upload", null, new JsonObject { ["id"] = id, ["length"] = ms.Length }));
            return Results.Ok();
        });
        _app.MapPost("/response/{id}", async (string id, HttpRequest request) =>
        {
            var body = JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!.AsObject();
            body["_response_id"] = id;
            Record(new SlackCall("response_url", null, body));
            return Results.Ok();
        });
        _app.Map("/socket", SocketAsync);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    public Uri BaseUrl { get; }

    public Uri ApiBaseUrl => new(BaseUrl, "api/");

    public string ResponseUrl(string id) => new Uri(BaseUrl, "response/" + id).ToString();

    public string FileUrl(string id) => new Uri(BaseUrl, "files/" + id).ToString();

    /// <summary>Slack users by id: email and real name (users.info, users.lookupByEmail).</summary>
    public ConcurrentDictionary<string, (string Email, string Name)> Users { get; } = new();

    /// <summary>File contents by file id, served at /files/{id} to requests carrying the bot token.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();

    /// <summary>Messages posted with chat.postMessage, by channel id, oldest first (as conversations.history sees them).</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<JsonObject>> Messages { get; } = new();

    public IReadOnlyList<SlackCall> Calls => [.. _calls];

    public IReadOnlyList<SlackCall> CallsTo(string method) => [.. _calls.Where(c => c.Method == method)];

    /// <summary>The next call to <paramref name="method"/> gets this answer instead of the default.</summary>
    public void Enqueue(string method, FakeAnswer answer) => _scripted.GetOrAdd(method, _ => new()).Enqueue(answer);

    /// <summary>Completes when a matching call arrives (or has already arrived).</summary>
    public Task<SlackCall> WaitForAsync(Func<SlackCall, bool> match, TimeSpan? timeout = null)
    {
        lock (_waiters)
        {
            if (_calls.FirstOrDefault(match) is { } existing)
            {
                return Task.FromResult(existing);
            }

            var done = new TaskCompletionSource<SlackCall>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
        }
    }

    // ---- Socket Mode ----

    /// <summary>Frames the next socket connection receives after "hello" (one list per connection, in order).</summary>
    public ConcurrentQueue<List<JsonObject>> SocketScripts { get; } = new();

    /// <summary>Every frame our client sent over any socket (acks).</summary>
    public ConcurrentQueue<JsonObject> SocketReceived { get; } = new();

    public int SocketConnections => _socketConnections;

    private int _socketConnections;

    private async Task SocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _socketConnections);
        await SendAsync(socket, new JsonObject { ["type"] = "hello", ["num_connections"] = 1, ["connection_info"] = new JsonObject { ["app_id"] = "A0TEST" } });
        var script = SocketScripts.TryDequeue(out var frames) ? frames : [];
        foreach (var frame in script)
        {
            await SendAsync(socket, frame);
        }

        var buffer = new byte[64 * 1024];
        while (socket.State == WebSocketState.Open)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, context.RequestAborted);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                break;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                break;
            }

            var frame = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count))!.AsObject();
            SocketReceived.Enqueue(frame);
            Record(new SlackCall("socket_ack", null, frame));
        }
    }

    private static Task SendAsync(WebSocket socket, JsonObject frame) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    // ---- Web API ----

    private async Task<IResult> ApiAsync(string method, HttpRequest request)
    {
        var token = request.Headers.Authorization.ToString() is { Length: > 7 } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        var text = await new StreamReader(request.Body).ReadToEndAsync();
        JsonObject args;
        if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true)
        {
            args = JsonNode.Parse(text)?.AsObject() ?? [];
        }
        else
        {
            args = [];
            foreach (var (key, value) in QueryHelpers.ParseQuery(text))
            {
                args[key] = value.ToString();
            }
        }

        var call = new SlackCall(method, token, args);
        Record(call);

        if (_scripted.TryGetValue(method, out var queue) && queue.TryDequeue(out var answer))
        {
            if (answer.RetryAfterSeconds is { } seconds)
            {
                request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Results.Json(answer.Body, statusCode: answer.Status);
        }

        var expected = method == "apps.connections.open" ? AppToken : BotToken;
        if (token != expected)
        {
            return Results.Json(new JsonObject { ["ok"] = false, ["error"] = token is null ? "not_authed" : "invalid_auth" });
        }

        return Results.Json(Default(call));
    }

    /// <summary>Where real Slack was seen answering msg_blocks_too_long (bolt-js#2509).</summary>
    public const int MaxBlockText = 13_200;

    /// <summary>The characters of every "text" string in the blocks (section, fields, context, header, button labels).</summary>
    public static int BlockText(JsonNode? node) => node switch
    {
        JsonObject o => o.Sum(p => p.Key == "text" && p.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>().Length : BlockText(p.Value)),
        JsonArray a => a.Sum(BlockText),
        _ => 0,
    };

    private JsonObject Default(SlackCall call)
    {
        var ok = new JsonObject { ["ok"] = true };
        switch (call.Method)
        {
            case "auth.test":
                ok["user_id"] = BotUserId;
                ok["team_id"] = TeamId;
                ok["bot_id"] = BotId;
                break;
            case "chat.postMessage" or "chat.update" when BlockText(call.Args["blocks"]) > MaxBlockText:
                // Slack's undocumented limit on a message's block text (seen at about 13,200 characters).
                return new JsonObject { ["ok"] = false, ["error"] = "msg_blocks_too_long" };
            case "chat.postMessage" or "chat.update" when call.Args["blocks"] is JsonArray { Count: > 50 }:
                return new JsonObject { ["ok"] = false, ["error"] = "invalid_blocks" };
            case "chat.postMessage":
                ok["channel"] = call.Arg("channel");
                ok["ts"] = $"1700000000.{Interlocked.Increment(ref _ts):D6}";
                var posted = new JsonObject { ["type"] = "message", ["user"] = BotUserId, ["bot_id"] = BotId, ["text"] = call.Arg("text"), ["ts"] = ok["ts"]!.GetValue<string>() };
                if (call.Args["metadata"] is JsonObject metadata)
                {
                    posted["metadata"] = metadata.DeepClone();
                }

                Messages.GetOrAdd(call.Arg("channel")!, _ => new()).Enqueue(posted);
                break;
            case "conversations.history":
                // Newest first, up to limit (default 100); metadata only when include_all_metadata is set, like Slack.
                var limit = int.TryParse(call.Arg("limit"), out var l) ? l : 100;
                var withMetadata = call.Arg("include_all_metadata") is "true" or "1";
                var history = Messages.TryGetValue(call.Arg("channel") ?? "", out var queue) ? queue.Reverse().ToList() : [];
                ok["messages"] = new JsonArray([.. history.Take(limit).Select(m =>
                {
                    var copy = m.DeepClone().AsObject();
                    if (!withMetadata)
                    {
                        copy.Remove("metadata");
                    }

                    return (JsonNode)copy;
                })]);
                ok["has_more"] = history.Count > limit;
                break;
            case "chat.update":
                ok["channel"] = call.Arg("channel");
                ok["ts"] = call.Arg("ts");
                break;
            case "conversations.open":
                ok["channel"] = new JsonObject { ["id"] = "D" + call.Arg("users") };
                break;
            case "users.info":
                var id = call.Arg("user")!;
                if (!Users.TryGetValue(id, out var user))
                {
                    return new JsonObject { ["ok"] = false, ["error"] = "user_not_found" };
                }

                ok["user"] = User(id, user);
                break;
            case "users.lookupByEmail":
                var match = Users.FirstOrDefault(u => string.Equals(u.Value.Email, call.Arg("email"), StringComparison.OrdinalIgnoreCase));
                if (match.Key is null)
                {
                    return new JsonObject { ["ok"] = false, ["error"] = "users_not_found" };
                }

                ok["user"] = User(match.Key, match.Value);
                break;
            case "views.open" or "views.update" or "views.publish":
                ok["view"] = new JsonObject { ["id"] = "V" + Interlocked.Increment(ref _ts) };
                break;
            case "files.info":
                var fileId = call.Arg("file")!;
                ok["file"] = new JsonObject { ["id"] = fileId, ["name"] = fileId + ".txt", ["mimetype"] = "text/plain", ["url_private_download"] = FileUrl(fileId) };
                break;
            case "files.getUploadURLExternal":
                ok["file_id"] = "F" + Interlocked.Increment(ref _ts);
                ok["upload_url"] = new Uri(BaseUrl, "upload/" + ok["file_id"]).ToString();
                break;
            case "apps.connections.open":
                ok["url"] = new Uri(BaseUrl.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "socket").ToString();
                break;
        }

        return ok;
    }

    private static JsonObject User(string id, (string Email, string Name) user) => new()
    {
        ["id"] = id,
        ["team_id"] = TeamId,
        ["is_bot"] = false,
        ["real_name"] = user.Name,
        ["profile"] = new JsonObject { ["email"] = user.Email, ["real_name"] = user.Name },
    };

    private IResult FileAsync(string id, HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() != "Bearer " + BotToken || !Files.TryGetValue(id, out var content))
        {
            // What Slack really does without a valid token: a 200 with its HTML sign-in page.
            return Results.Content("<!DOCTYPE html><html><body>Sign in to Slack</body></html>", "text/html");
        }

        return Results.Bytes(content, "text/plain");
    }

    private void Record(SlackCall call)
    {
        PayloadCapture.AddSlack(call.Method, call.Args);
        lock (_waiters)
        {
            _calls.Enqueue(call);
            foreach (var waiter in _waiters.Where(w => w.Match(call)).ToList())
            {
                waiter.Done.TrySetResult(call);
                _waiters.Remove(waiter);
            }
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
