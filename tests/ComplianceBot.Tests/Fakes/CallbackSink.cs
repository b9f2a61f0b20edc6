using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ComplianceBot.Tests.Fakes;

/// <summary>A pipeline's webhook on 127.0.0.1: records every callback body, and can fail the first N calls.</summary>
public sealed class CallbackSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;
    private int _calls;

    private CallbackSink(WebApplication app) => _app = app;

    public ConcurrentQueue<JsonElement> Received { get; } = new();

    /// <summary>Each accepted callback as sent: headers and the raw body bytes (what a pipeline verifies the signature over).</summary>
    public ConcurrentQueue<(IReadOnlyDictionary<string, string> Headers, byte[] Body)> Raw { get; } = new();

    /// <summary>A URL on the sink that answers 302 to /hook (a callback must not follow it).</summary>
    public string RedirectUrl => _app.Urls.First() + "/redirect";

    public int Port => new Uri(_app.Urls.First()).Port;

    public string Url => _app.Urls.First() + "/hook";

    /// <summary>Completes once a callback has arrived.</summary>
    public TaskCompletionSource<JsonElement> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls => _calls;

    public static async Task<CallbackSink> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sink = new CallbackSink(app) { _failuresLeft = failFirst };
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref sink._calls);
            if (Interlocked.Decrement(ref sink._failuresLeft) >= 0)
            {
                return Results.StatusCode(503);
            }

            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var raw = buffer.ToArray();
            sink.Raw.Enqueue((request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), raw));
            var body = JsonSerializer.Deserialize<JsonElement>(raw);
            sink.Received.Enqueue(body);
            sink.First.TrySetResult(body);
            return Results.Ok();
        });
        app.MapPost("/redirect", () =>
        {
            Interlocked.Increment(ref sink._calls);
            return Results.Redirect("/hook", permanent: false, preserveMethod: true);
        });
        await app.StartAsync();
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
