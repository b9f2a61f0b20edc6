using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ComplianceBot.Tests.Fakes;

/// <summary>
/// A local Azure OpenAI: Kestrel on 127.0.0.1 answering POST /openai/deployments/{deployment}/chat/completions in the
/// chat completions wire format, so the real Azure.AI.OpenAI + Microsoft.Extensions.AI client code runs in tests.
/// </summary>
public sealed class FakeAzureOpenAI : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>What the next completions return: the assistant's text, or null to answer HTTP 500.</summary>
    public Func<JsonObject, string?> Respond { get; set; } = _ => "I don't know — please ask compliance.";

    /// <summary>When set and it returns a call, the completion is that tool call (finish_reason "tool_calls") instead of text.</summary>
    public Func<JsonObject, (string Name, string Arguments)?>? RespondWithToolCall { get; set; }

    /// <summary>When set, requests wait for this task before answering (to exercise the client timeout).</summary>
    public Task? Hold { get; set; }

    public ConcurrentQueue<(string Path, string? ApiKey, JsonObject Body)> Requests { get; } = new();

    public string Endpoint { get; private set; } = "";

    private FakeAzureOpenAI(WebApplication app) => _app = app;

    public static async Task<FakeAzureOpenAI> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeAzureOpenAI(app);
        app.MapPost("/openai/deployments/{deployment}/chat/completions", fake.CompleteAsync);
        await app.StartAsync();
        fake.Endpoint = app.Urls.First();
        return fake;
    }

    private async Task<IResult> CompleteAsync(string deployment, HttpRequest request)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(request.Body))!;
        Requests.Enqueue((request.Path, request.Headers["api-key"].FirstOrDefault(), body));
        if (Hold is { } hold)
        {
            await hold;
        }

        if (RespondWithToolCall?.Invoke(body) is var (name, arguments))
        {
            return Results.Json(new
            {
                id = "chatcmpl-fake-tools",
                @object = "chat.completion",
                created = 1_790_000_000,
                model = deployment,
                choices = new[]
                {
                    new
                    {
                        index = 0,
                        message = new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name, arguments } } } },
                        finish_reason = "tool_calls",
                    },
                },
                usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
            }, JsonSerializerOptions.Web);
        }

        var text = Respond(body);
        if (text is null)
        {
            return Results.Json(new { error = new { code = "InternalServerError", message = "The fake model failed." } }, statusCode: 500);
        }

        return Results.Json(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion",
            created = 1_790_000_000,
            model = deployment,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
        }, JsonSerializerOptions.Web);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
