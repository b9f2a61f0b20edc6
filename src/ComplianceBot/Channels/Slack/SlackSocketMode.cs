using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// Socket Mode: the bot dials out to Slack (apps.connections.open → WebSocket), so it can run behind a firewall.
/// Envelopes go to the same handlers as HTTP; an events_api envelope is acknowledged only after it is in the inbox.
/// On "disconnect" (Slack refreshes connections every few hours) it reconnects at once; on errors with jittered backoff.
/// </summary>
public sealed class SlackSocketMode(
    IServiceScopeFactory scopes,
    SlackInboxWriter inbox,
    IOptions<SlackOptions> options,
    ILogger<SlackSocketMode> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Connections opened so far (for the startup log and tests).</summary>
    public int Connections { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.UsesSocketMode)
        {
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var clean = await RunConnectionAsync(stoppingToken);
                failures = clean ? 0 : failures + 1;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failures++;
                logger.LogWarning(ex, "Slack Socket Mode connection failed ({Failures} in a row)", failures);
            }

            if (failures > 0)
            {
                // Reconnect pauses pace a network peer, so they are wall-clock (like the Web API client's retries),
                // not the injected business clock that tests freeze.
                await Task.Delay(Backoff(failures), TimeProvider.System, stoppingToken);
            }
        }
    }

    /// <summary>Exponential backoff from 1 s to 30 s with full jitter, so many hosts do not reconnect in lockstep.</summary>
    public static TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, 1000 * Math.Pow(2, Math.Min(failures - 1, 10)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    /// <summary>One connection's life; true when Slack asked us to reconnect (no backoff needed).</summary>
    private async Task<bool> RunConnectionAsync(CancellationToken stoppingToken)
    {
        string url;
        await using (var scope = scopes.CreateAsyncScope())
        {
            url = await scope.ServiceProvider.GetRequiredService<SlackApiClient>().OpenSocketUrlAsync(stoppingToken);
        }

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(url), stoppingToken);
        Connections++;
        using var sendLock = new SemaphoreSlim(1, 1);
        var inFlight = new List<Task>();
        try
        {
            while (socket.State == WebSocketState.Open && !stoppingToken.IsCancellationRequested)
            {
                var frame = await ReceiveAsync(socket, stoppingToken);
                if (frame is null)
                {
                    return false;
                }

                JsonNode? message;
                try
                {
                    message = JsonNode.Parse(frame);
                }
                catch (JsonException)
                {
                    logger.LogWarning("Ignoring a Socket Mode frame that is not JSON");
                    continue;
                }

                var type = message?["type"]?.GetValue<string>();
                switch (type)
                {
                    case "hello":
                        logger.LogInformation("Slack Socket Mode connected");
                        break;
                    case "disconnect":
                        logger.LogInformation("Slack asked to reconnect ({Reason})", message?["reason"]?.GetValue<string>());
                        await Task.WhenAll(inFlight);
                        await CloseQuietlyAsync(socket);
                        return true;
                    case "events_api" or "interactive" or "slash_commands":
                        inFlight.RemoveAll(t => t.IsCompleted);
                        inFlight.Add(HandleEnvelopeAsync(socket, sendLock, type, message!, stoppingToken));
                        break;
                }
            }

            return false;
        }
        finally
        {
            await Task.WhenAll(inFlight);
        }
    }

    private async Task HandleEnvelopeAsync(ClientWebSocket socket, SemaphoreSlim sendLock, string type, JsonNode envelope, CancellationToken cancellationToken)
    {
        var envelopeId = envelope["envelope_id"]?.GetValue<string>();
        var payload = envelope["payload"];
        if (envelopeId is null || payload is null)
        {
            return;
        }

        try
        {
            var ack = new JsonObject { ["envelope_id"] = envelopeId };
            switch (type)
            {
                case "events_api":
                    var raw = Encoding.UTF8.GetBytes(payload.ToJsonString());
                    if (SlackEventEnvelope.TryRead(raw, out var e, out _) && e.Type == "event_callback")
                    {
                        // Durable before the ack, exactly as over HTTP: an unacknowledged envelope is redelivered by Slack.
                        await inbox.WriteAsync(new InboxWrite(e.TeamId!, e.EventId!, e.EventType!, Encoding.UTF8.GetString(raw)), cancellationToken);
                    }

                    break;
                case "interactive":
                {
                    await using var scope = scopes.CreateAsyncScope();
                    using var document = JsonDocument.Parse(payload.ToJsonString());
                    var result = await scope.ServiceProvider.GetRequiredService<SlackInteractionHandler>().HandleAsync(document.RootElement, cancellationToken);
                    if (result.Body is not null && result.Status == 200)
                    {
                        ack["payload"] = result.Body;
                    }

                    break;
                }

                case "slash_commands":
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var fields = payload.AsObject().Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString());
                    var result = await scope.ServiceProvider.GetRequiredService<SlackCommandHandler>().HandleAsync(fields, cancellationToken);
                    if (result.Body is not null && result.Status == 200)
                    {
                        ack["payload"] = result.Body;
                    }

                    break;
                }
            }

            var bytes = Encoding.UTF8.GetBytes(ack.ToJsonString());
            await sendLock.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
            finally
            {
                sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not acknowledged: Slack redelivers the envelope (with retry_attempt), and the inbox deduplicates it.
            logger.LogWarning(ex, "Socket Mode envelope {EnvelopeId} ({Type}) not acknowledged", envelopeId, type);
        }
    }

    private static async Task<byte[]?> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(8192);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var result = await socket.ReceiveAsync(memory, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await CloseQuietlyAsync(socket);
                return null;
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "reconnecting", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The old connection is being replaced anyway.
        }
    }
}
