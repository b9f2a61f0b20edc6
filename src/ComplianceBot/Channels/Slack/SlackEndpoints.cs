using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// Slack's HTTP side. Routes:
///   POST /slack/events        Events API (url_verification, event_callback → durable inbox, then 200)
///   POST /slack/interactions  block_actions, view_submission, view_closed (form field "payload")
///   POST /slack/commands      /compliance (form-encoded; ssl_check probes answered)
/// Every request passes <see cref="RequireSlackSignature"/> on its raw bytes before anything is parsed.
/// </summary>
public static class SlackEndpoints
{
    private const int MaxBody = 1 << 20;
    private const string BodyKey = "slack.body";

    /// <summary>Maps the routes only when Slack is configured; otherwise they answer 404.</summary>
    public static RouteGroupBuilder MapSlack(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/slack").WithTags("Slack").ExcludeFromDescription();
        if (!routes.ServiceProvider.GetRequiredService<IOptions<SlackOptions>>().Value.IsConfigured)
        {
            return group;
        }

        group.RequireSlackSignature();
        group.MapPost("/events", EventsAsync);
        group.MapPost("/interactions", InteractionsAsync);
        group.MapPost("/commands", CommandsAsync);
        routes.MapSlackAdmin();
        return group;
    }

    /// <summary>Reads the raw body and refuses (401) anything not signed by Slack within the last 5 minutes.</summary>
    public static TBuilder RequireSlackSignature<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var request = http.Request;
            var body = await RequestBody.ReadCappedAsync(request, MaxBody, http.RequestAborted);
            if (body is null)
            {
                return TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge);
            }

            // Slack's ssl_check probe is answered without a signature and without looking at anything else in it.
            if (request.Path.Value?.EndsWith("/commands", StringComparison.Ordinal) == true && IsSslCheck(body))
            {
                return TypedResults.Ok();
            }

            var services = http.RequestServices;
            var secret = services.GetRequiredService<SlackSecret>();
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var check = SlackSignature.Verify(secret.Bytes, request.Headers[SlackSignature.TimestampHeader], request.Headers[SlackSignature.SignatureHeader], body, now);
            if (check != SignatureCheck.Valid)
            {
                services.GetRequiredService<ILoggerFactory>().CreateLogger("ComplianceBot.Channels.Slack.Signature")
                    .LogWarning("Refused Slack request to {Path} from {Remote}: signature {Check}", request.Path, http.Connection.RemoteIpAddress, check);
                return TypedResults.Unauthorized();
            }

            // Events are idempotent on (team, event id) in the inbox, and Slack may resend them; interactions and commands
            // act at once, so an identical signed request seen before (on any host) is a replay and is refused.
            if (!request.Path.StartsWithSegments("/slack/events")
                && !await services.GetRequiredService<SlackReplayGuard>().FirstSeenAsync(
                    SlackReplayGuard.SignatureKey(request.Headers[SlackSignature.SignatureHeader].ToString(), request.Headers[SlackSignature.TimestampHeader].ToString()), http.RequestAborted))
            {
                services.GetRequiredService<ILoggerFactory>().CreateLogger("ComplianceBot.Channels.Slack.Signature")
                    .LogWarning("Refused a replayed Slack request to {Path} from {Remote}", request.Path, http.Connection.RemoteIpAddress);
                return TypedResults.Unauthorized();
            }

            http.Items[BodyKey] = body;
            return await next(context);
        });

    private static async Task<Results<Ok<JsonObject>, Ok, BadRequest<JsonObject>, StatusCodeHttpResult>> EventsAsync(
        HttpContext http, SlackInboxWriter inbox, ILogger<SlackInboxWriter> logger)
    {
        var body = (byte[])http.Items[BodyKey]!;
        if (!SlackEventEnvelope.TryRead(body, out var envelope, out var problem))
        {
            http.Response.Headers["X-Slack-No-Retry"] = "1";
            return TypedResults.BadRequest(SlackInteractionHandler.Error(problem));
        }

        switch (envelope.Type)
        {
            case "url_verification":
                return TypedResults.Ok(new JsonObject { ["challenge"] = envelope.Challenge });
            case "event_callback":
                var isNew = await inbox.WriteAsync(new InboxWrite(envelope.TeamId!, envelope.EventId!, envelope.EventType!, Encoding.UTF8.GetString(body)), http.RequestAborted);
                if (!isNew)
                {
                    logger.LogDebug("Duplicate Slack event {EventId} (retry {Retry}) acknowledged", envelope.EventId, http.Request.Headers["X-Slack-Retry-Num"].ToString());
                }

                return TypedResults.Ok();
            default:
                // app_rate_limited and future envelope types: acknowledge so Slack keeps the subscription healthy.
                logger.LogInformation("Slack envelope {Type} acknowledged", envelope.Type);
                return TypedResults.Ok();
        }
    }

    private static async Task<IResult> InteractionsAsync(HttpContext http, SlackInteractionHandler handler)
    {
        var form = ParseForm((byte[])http.Items[BodyKey]!);
        if (!form.TryGetValue("payload", out var json))
        {
            return TypedResults.BadRequest(SlackInteractionHandler.Error("Expected a form field \"payload\" with the interaction JSON."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return TypedResults.BadRequest(SlackInteractionHandler.Error($"\"payload\" is not valid JSON ({ex.Message})."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return TypedResults.BadRequest(SlackInteractionHandler.Error("\"payload\" must be a JSON object."));
            }

            return ToResult(await handler.HandleAsync(document.RootElement, http.RequestAborted));
        }
    }

    private static async Task<IResult> CommandsAsync(HttpContext http, SlackCommandHandler handler) =>
        ToResult(await handler.HandleAsync(ParseForm((byte[])http.Items[BodyKey]!), http.RequestAborted));

    private static IResult ToResult(SlackAck ack) => ack switch
    {
        { Status: 200, Body: null } => TypedResults.Ok(),
        { Status: 200, Body: { } body } => TypedResults.Json(body),
        _ => TypedResults.Json(ack.Body, statusCode: ack.Status),
    };

    internal static Dictionary<string, string> ParseForm(byte[] body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)))
        {
            fields[key] = value.ToString();
        }

        return fields;
    }

    private static bool IsSslCheck(byte[] body) =>
        body.AsSpan().IndexOf("ssl_check=1"u8) >= 0 && ParseForm(body).GetValueOrDefault("ssl_check") == "1";
}

/// <summary>The signing secret as bytes, computed once.</summary>
public sealed class SlackSecret(IOptions<SlackOptions> options)
{
    public byte[] Bytes { get; } = Encoding.UTF8.GetBytes(options.Value.SigningSecret ?? "");
}

/// <summary>The outer fields of an Events API body we need before storing it.</summary>
public readonly record struct SlackEventEnvelope(string Type, string? TeamId, string? EventId, string? EventType, string? Challenge)
{
    public static bool TryRead(ReadOnlySpan<byte> body, out SlackEventEnvelope envelope, out string problem)
    {
        envelope = default;
        string? type = null, team = null, eventId = null, eventType = null, challenge = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "The body must be a JSON object.";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.CurrentDepth != 1)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.ValueTextEquals("type"u8)) { type = ReadString(ref reader); }
                else if (reader.ValueTextEquals("team_id"u8)) { team = ReadString(ref reader); }
                else if (reader.ValueTextEquals("event_id"u8)) { eventId = ReadString(ref reader); }
                else if (reader.ValueTextEquals("challenge"u8)) { challenge = ReadString(ref reader); }
                else if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        var depth = reader.CurrentDepth;
                        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
                        {
                            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("type"u8))
                            {
                                eventType = ReadString(ref reader);
                            }
                            else if (reader.TokenType == JsonTokenType.PropertyName)
                            {
                                reader.Read();
                                reader.Skip();
                            }
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            problem = $"The body is not valid JSON ({ex.Message}).";
            return false;
        }
        catch (InvalidOperationException)
        {
            // GetString on a string with a lone surrogate ("\ud800"): valid JSON, but no text we could store or match.
            problem = "The body holds a string that is not valid Unicode (a lone surrogate).";
            return false;
        }

        if (type is null)
        {
            problem = "The body has no \"type\".";
            return false;
        }

        if (type == "url_verification" && challenge is null)
        {
            problem = "url_verification without a \"challenge\".";
            return false;
        }

        if (type == "event_callback" && (string.IsNullOrEmpty(team) || string.IsNullOrEmpty(eventId) || string.IsNullOrEmpty(eventType)))
        {
            problem = "An event_callback needs team_id, event_id and event.type.";
            return false;
        }

        envelope = new SlackEventEnvelope(type, team, eventId, eventType, challenge);
        problem = "";
        return true;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }
}
