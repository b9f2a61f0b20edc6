using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComplianceBot.Tests.Fakes;

/// <summary>An OTLP/HTTP collector on 127.0.0.1 that keeps every export request (path, content type, protobuf body).</summary>
public sealed class FakeOtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> _exports = new();
    private readonly ConcurrentQueue<(Func<string, string, bool> Match, TaskCompletionSource Done)> _waiters = new();

    public FakeOtlpCollector()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var export = ("/v1/" + signal, request.ContentType, body.ToArray());
            _exports.Enqueue(export);
            var text = Encoding.UTF8.GetString(export.Item3);
            foreach (var (match, done) in _waiters)
            {
                if (match(export.Item1, text))
                {
                    done.TrySetResult();
                }
            }

            return Results.Ok();
        });
        _app.StartAsync().GetAwaiter().GetResult();
        Endpoint = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<(string Path, string? ContentType, byte[] Body)> Exports => [.. _exports];

    /// <summary>Waits (bounded) for an export to <paramref name="path"/> whose body contains <paramref name="text"/> (protobuf keeps strings as UTF-8).</summary>
    public Task WaitForAsync(string path, string text, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool Match(string p, string body) => p == path && body.Contains(text, StringComparison.Ordinal);
        _waiters.Enqueue((Match, done));
        if (_exports.Any(e => Match(e.Path, Encoding.UTF8.GetString(e.Body))))
        {
            done.TrySetResult();
        }

        return done.Task.WaitAsync(timeout);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
