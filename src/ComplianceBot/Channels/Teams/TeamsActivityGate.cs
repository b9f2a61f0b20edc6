using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ComplianceBot.Channels.Teams;

/// <summary>Why a request to /api/messages was turned away before the Bot Framework SDK saw it.</summary>
public sealed record TeamsRefusal(int Status, string Reason);

/// <summary>
/// Checks /api/messages requests the SDK would otherwise turn into a 500 or accept too readily: an Authorization header
/// that is not a readable JWS (SkillValidation throws ArgumentException IDX12729 on "Bearer a.b.c"), a body that is not
/// one JSON object with a string "type" and no duplicate keys, a serviceUrl that is not an absolute http(s) URL, ids
/// that are unusable or absurdly long, and a tenant other than the configured one(s).
/// </summary>
public static class TeamsActivityGate
{
    public const int MaxBodyBytes = 1 << 20;

    /// <summary>The longest id, tenant or AAD object id we accept; see <see cref="CheckActivity"/>.</summary>
    public const int MaxIdLength = 1024;

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>Null when the header is absent or a readable JWS; otherwise the 401 to answer.</summary>
    public static TeamsRefusal? CheckAuthorization(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new(StatusCodes.Status401Unauthorized, "the Authorization header is not a bearer token");
        }

        var token = header["Bearer ".Length..].Trim();
        try
        {
            // The Bot Connector only ever sends signed (three-part) tokens; an encrypted or unparseable one is refused here.
            return new JsonWebToken(token) is { IsEncrypted: false } ? null : new(StatusCodes.Status401Unauthorized, "the bearer token is encrypted (JWE)");
        }
        catch (ArgumentException)
        {
            return new(StatusCodes.Status401Unauthorized, "the bearer token is not a readable JWT");
        }
    }

    /// <summary>Null when the activity may go to the SDK; otherwise the status (400, 403, 413) and why.</summary>
    public static TeamsRefusal? CheckActivity(ReadOnlyMemory<byte> body, IReadOnlySet<string> allowedTenants)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Strict);
        }
        catch (JsonException ex)
        {
            return new(StatusCodes.Status400BadRequest, $"the activity is not valid JSON ({ex.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return new(StatusCodes.Status400BadRequest, "the activity must be a JSON object with a string \"type\"");
            }

            if (root.TryGetProperty("serviceUrl", out var serviceUrl)
                && (serviceUrl.ValueKind != JsonValueKind.String || !IsHttpUrl(Text(serviceUrl))))
            {
                return new(StatusCodes.Status400BadRequest, "serviceUrl must be an absolute http(s) URL");
            }

            // Ids end up in Bot Connector URLs and headers, where a NUL or line break makes the reply fail (FormatException),
            // and in our keys. A 100 KB conversation id makes a request line no server takes (Kestrel stops at 8 KB): the
            // connection is reset, the roster lookup retries for 15 s and the invoke misses its deadline. Real ids are
            // far shorter (a Teams channel's "19:…@thread.tacv2;messageid=…" is under 200 characters).
            var conversation = Property(root, "conversation");
            var from = Property(root, "from");
            foreach (var id in new[] { Property(root, "id"), Property(root, "replyToId"), Property(conversation, "id"), Property(conversation, "tenantId"), Property(from, "id"), Property(from, "aadObjectId") })
            {
                var value = Text(id);
                if (value is not null && value.Any(char.IsControl) || id.ValueKind == JsonValueKind.String && value is null)
                {
                    return new(StatusCodes.Status400BadRequest, "an id of the activity holds control characters or invalid Unicode");
                }

                if (value?.Length > MaxIdLength)
                {
                    return new(StatusCodes.Status400BadRequest, $"an id of the activity is longer than {MaxIdLength} characters");
                }
            }

            if (allowedTenants.Count == 0)
            {
                return null;
            }

            var tenant = Text(Property(Property(root, "conversation"), "tenantId")) ?? Text(Property(Property(Property(root, "channelData"), "tenant"), "id"));
            var channel = Text(Property(root, "channelId"));
            if (tenant is null ? channel == "msteams" : !allowedTenants.Contains(tenant))
            {
                return new(StatusCodes.Status403Forbidden, $"the activity comes from tenant '{tenant ?? "(none)"}', not a configured one");
            }

            return null;
        }
    }

    /// <summary>MicrosoftAppTenantId, Teams:TenantId and Teams:AllowedTenants; empty means "not restricted" (anonymous Development).</summary>
    public static IReadOnlySet<string> AllowedTenants(BotCredentials credentials, TeamsOptions options) =>
        new[] { credentials.TenantId, options.TenantId }.Concat(options.AllowedTenants)
            .Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!.Trim())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>The string value, or null for anything else — including a string with a lone surrogate, which cannot become a .NET string.</summary>
    private static string? Text(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Host.Length > 0;
}
