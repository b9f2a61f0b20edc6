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

            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            sink.Received.Enqueue(body);
            sink.First.TrySetResult(body);
            return Results.Ok();
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
