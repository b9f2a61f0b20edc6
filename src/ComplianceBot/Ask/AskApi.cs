using System.Text.Json;
using ComplianceBot.Admin;
using ComplianceBot.Channels.Web;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Ask;

public sealed record AskRequest(string? Question);

public sealed record AskResponse(string Answer, IReadOnlyList<Citation> Citations, bool Refused);

public static class AskExtensions
{
    public static IServiceCollection AddAsk(this IServiceCollection services)
    {
        OnnxTelemetry.TurnOff();
        services.AddOptions<AskOptions>().BindConfiguration("Ask");
        services.AddOptions<AzureOpenAIOptions>().BindConfiguration("AzureOpenAI");
        services.AddHttpClient(ChatAnswerer.HttpClientName);
        services.AddSingleton(sp =>
        {
            var environment = sp.GetRequiredService<IHostEnvironment>();
            var knowledge = Path.Combine(environment.ContentRootPath, sp.GetRequiredService<IOptions<KnowledgeOptions>>().Value.Path);
            return new EmbeddingCache(
                Path.Combine(DataExtensions.DataDirectory(sp.GetRequiredService<IConfiguration>(), environment), sp.GetRequiredService<IOptions<AskOptions>>().Value.EmbeddingCache),
                sp.GetRequiredService<ILogger<EmbeddingCache>>(),
                Path.GetFullPath(Path.Combine(knowledge, EmbeddingCache.SharedFolder)));
        });
        services.AddSingleton<KnowledgeIndex>();
        services.AddSingleton<MiniLmLoader>();
        services.AddHostedService<KnowledgeIndexService>();
        services.AddHealthChecks().AddCheck<KnowledgeHealthCheck>("knowledge");
        services.AddSingleton<PromptLibrary>();
        services.AddSingleton<OfflineComposer>();
        services.AddSingleton<ChatAnswerer>();
        services.AddSingleton<AskService>();
        services.AddScoped<QuestionAnswerer>();
        services.AddScoped<IFlow, AskFlow>();
        return services;
    }

    /// <summary>
    /// POST /api/ask. Answers carry internal facts (control owners' names and emails, our scope), so the API is as open
    /// as the web chat: open when the web chat is enabled (local development), otherwise it needs Admin:ApiKey or
    /// Ask:ApiKey as a bearer token — an intranet page or a CI job gets its own Ask key.
    /// </summary>
    public static RouteGroupBuilder MapAsk(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/ask").WithTags("Ask");
        if (!routes.IsWebChatEnabled())
        {
            group.RequireAuthorization(ApiPolicies.Ask);
        }

        group.MapPost("/", AskAsync);
        return group;
    }

    private static async Task<Results<Ok<AskResponse>, ProblemHttpResult>> AskAsync(HttpRequest request, QuestionAnswerer questions, CancellationToken cancellationToken)
    {
        AskRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<AskRequest>(request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem($"The body is not valid JSON ({ex.Message}). Send {{\"question\": \"...\"}}.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (body is null || string.IsNullOrWhiteSpace(body.Question))
        {
            return TypedResults.Problem("\"question\" is required, e.g. {\"question\": \"what does CC6.1 require?\"}.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (body.Question.Length > AskService.MaxQuestionLength)
        {
            return TypedResults.Problem($"\"question\" is too long ({body.Question.Length} characters; at most {AskService.MaxQuestionLength}).", statusCode: StatusCodes.Status400BadRequest);
        }

        var actor = request.HttpContext.User.Identity?.Name is { Length: > 0 } name ? name : "api";
        var answer = await questions.AnswerAsync(body.Question, person: null, actor, channel: "api", cancellationToken);
        return TypedResults.Ok(new AskResponse(answer.Answer, answer.Citations, answer.Refused));
    }
}
