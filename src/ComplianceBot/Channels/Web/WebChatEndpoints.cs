using System.Text.Json;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.People;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Web;

/// <summary>POST /api/chat body: text, or an action (a button press / form submit) with its data.</summary>
public sealed record ChatRequest(string? User, string? Text, ChatActionRequest? Action);

public sealed record ChatActionRequest(string? Id, Dictionary<string, JsonElement>? Data);

/// <param name="Intent">What the front door understood of the text (null for buttons, forms and files).</param>
/// <param name="Confidence">The intent's probability, 0..1.</param>
public sealed record ChatResponse(IReadOnlyList<WebReply> Replies, string? Intent = null, double? Confidence = null)
{
    public static ChatResponse From(TurnResult result) =>
        new([.. result.Replies.Select(WebRenderer.Render)], result.Understood?.Label, result.Understood is { } u ? Math.Round(u.Confidence, 3) : null);
}

public sealed record ChatPerson(string Email, string Name, string? Title);

public sealed record InboxMessage(long Id, WebReply Reply, DateTimeOffset UpdatedAt, string? Channel);

/// <summary>The local web chat: the third channel, needing no credentials (Development only unless enabled).</summary>
public static class WebChatEndpoints
{
    public const string TenantId = "local";

    // The page is embedded in the assembly so it is served the same however the host is started (dotnet run, tests, publish).
    private const string ChatPage = "ComplianceBot.Channels.Web.chat.html";

    public static IServiceCollection AddWebChat(this IServiceCollection services)
    {
        services.AddOptions<WebChatOptions>().BindConfiguration("WebChat");
        services.AddScoped<IChannelMessenger, WebChannelMessenger>();
        return services;
    }

    public static bool IsWebChatEnabled(this IEndpointRouteBuilder routes) =>
        routes.ServiceProvider.GetRequiredService<IOptions<WebChatOptions>>().Value.IsEnabled(routes.ServiceProvider.GetRequiredService<IHostEnvironment>());

    /// <summary>Maps the chat page and API when enabled; otherwise maps nothing, so the routes answer 404.</summary>
    public static RouteGroupBuilder MapWebChat(this WebApplication app)
    {
        var group = app.MapGroup("/api/chat").WithTags("Web chat");
        if (!app.IsWebChatEnabled())
        {
            return group;
        }

        string page;
        using (var reader = new StreamReader(typeof(WebChatEndpoints).Assembly.GetManifestResourceStream(ChatPage)!))
        {
            page = reader.ReadToEnd();
        }

        var policy = WebChatSecurity.ContentSecurityPolicy(page);
        app.MapGet("/", () => TypedResults.Text(page, "text/html; charset=utf-8")).ExcludeFromDescription().RequireLocalSameOrigin(policy);
        group.RequireLocalSameOrigin(policy);
        group.MapPost("/", PostAsync);
        // Cross-site posts are refused by RequireLocalSameOrigin (Origin / Sec-Fetch-Site), which covers this multipart form too.
        group.MapPost("/files", UploadAsync).DisableAntiforgery();
        group.MapGet("/people", PeopleAsync);
        group.MapGet("/choices", async (string dataset, string? q, ChoiceSearch choices, CancellationToken cancellationToken) =>
            TypedResults.Ok(await choices.SearchAsync(dataset, q, 0, 20, cancellationToken)));
        group.MapGet("/inbox", InboxAsync);
        return group;
    }

    public static ChannelUser WebUser(string email) => new(ChannelKind.Web, TenantId, email, email);

    private static async Task<Results<Ok<ChatResponse>, ProblemHttpResult>> PostAsync(
        HttpRequest request, PersonDirectory directory, TurnProcessor processor, CancellationToken cancellationToken)
    {
        ChatRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<ChatRequest>(request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem($"The body is not valid JSON ({ex.Message}). Send {{\"user\": \"<email>\", \"text\": \"...\"}} or {{\"user\": \"<email>\", \"action\": {{\"id\": \"...\", \"data\": {{}}}}}}.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (body is null || string.IsNullOrWhiteSpace(body.User))
        {
            return TypedResults.Problem("\"user\" is required: the email of a person in the directory (GET /api/chat/people lists them).", statusCode: StatusCodes.Status400BadRequest);
        }

        if (string.IsNullOrWhiteSpace(body.Text) && string.IsNullOrWhiteSpace(body.Action?.Id))
        {
            return TypedResults.Problem("Send either \"text\" or \"action\": {\"id\": \"...\"}.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (await directory.FindByEmailAsync(body.User, cancellationToken) is not { } person)
        {
            return TypedResults.Problem($"No one with the email '{body.User}' is in the directory. Pick a person from GET /api/chat/people, or ask the compliance team to add you to knowledge/program/people.yaml.", statusCode: StatusCodes.Status404NotFound);
        }

        if (ToStrings(body.Action?.Data) is not { } data)
        {
            return TypedResults.Problem("\"action.data\" holds a string that is not valid Unicode (a lone surrogate).", statusCode: StatusCodes.Status400BadRequest);
        }

        var turn = new Turn(WebUser(person.Email), $"web:{person.Email}")
        {
            Text = body.Text,
            Action = body.Action?.Id is { Length: > 0 } id ? new TurnAction(id, data) : null,
        };
        var result = await processor.ProcessAsync(turn, cancellationToken);
        return TypedResults.Ok(ChatResponse.From(result));
    }

    /// <summary>POST /api/chat/files (multipart: user, optional text, one or more files): files dropped in the chat.</summary>
    private static async Task<Results<Ok<ChatResponse>, ProblemHttpResult>> UploadAsync(
        HttpRequest request, PersonDirectory directory, TurnProcessor processor, UploadStaging staging, IOptions<EvidenceOptions> evidence, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return TypedResults.Problem("Send multipart/form-data with a \"user\" field and one or more files.", statusCode: StatusCodes.Status400BadRequest);
        }

        WebUpload upload;
        try
        {
            upload = await WebUpload.ReadAsync(request, staging, evidence.Value.MaxBytes, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return TypedResults.Problem($"The upload could not be read ({ex.Message}).", statusCode: StatusCodes.Status400BadRequest);
        }

        await using (upload)
        {
            if (upload.Files.Count == 0 || string.IsNullOrWhiteSpace(upload.Field("user")))
            {
                return TypedResults.Problem("Send a \"user\" field (an email from GET /api/chat/people) and at least one file.", statusCode: StatusCodes.Status400BadRequest);
            }

            if (await directory.FindByEmailAsync(upload.Field("user")!, cancellationToken) is not { } person)
            {
                return TypedResults.Problem($"No one with the email '{upload.Field("user")}' is in the directory.", statusCode: StatusCodes.Status404NotFound);
            }

            var turn = new Turn(WebUser(person.Email), $"web:{person.Email}")
            {
                Text = upload.Field("text") is { Length: > 0 } text ? text : null,
                Files = upload.Files,
            };
            var result = await processor.ProcessAsync(turn, cancellationToken);
            return TypedResults.Ok(new ChatResponse([.. result.Replies.Select(WebRenderer.Render)]));
        }
    }

    private static async Task<Ok<List<ChatPerson>>> PeopleAsync(ComplianceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.People.AsNoTracking().Where(p => p.Status == PersonStatus.Active).OrderBy(p => p.Name)
            .Select(p => new ChatPerson(p.Email, p.Name, p.Title)).ToListAsync(cancellationToken));

    /// <summary>Proactive messages for a person with id &gt; after, or changed since a time (cards updated after a decision).</summary>
    private static async Task<Results<Ok<List<InboxMessage>>, ProblemHttpResult>> InboxAsync(
        string user, long? after, DateTimeOffset? since, PersonDirectory directory, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        if (await directory.FindByEmailAsync(user, cancellationToken) is not { } person)
        {
            return TypedResults.Problem($"No one with the email '{user}' is in the directory.", statusCode: StatusCodes.Status404NotFound);
        }

        var afterId = after ?? 0;
        var changedSince = since ?? DateTimeOffset.MaxValue;
        var seesChannel = person.Has(PersonRoles.ComplianceAdmin);
        var messages = await db.Set<WebMessage>().AsNoTracking()
            .Where(m => m.PersonId == person.Id || (seesChannel && m.PersonId == null))
            .Where(m => m.Id > afterId || m.UpdatedAt > changedSince)
            .OrderBy(m => m.Id).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(messages.Select(m => new InboxMessage(m.Id, JsonSerializer.Deserialize<WebReply>(m.ReplyJson, JsonSerializerOptions.Web)!, m.UpdatedAt, m.ChannelName)).ToList());
    }

    /// <summary>Action data as strings; null when a string value cannot become a .NET string ("\ud800" is valid JSON, GetString throws).</summary>
    private static Dictionary<string, string>? ToStrings(Dictionary<string, JsonElement>? data)
    {
        var strings = new Dictionary<string, string>();
        foreach (var (key, value) in data ?? [])
        {
            try
            {
                strings[key] = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        return strings;
    }
}
