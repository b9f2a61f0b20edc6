using System.Collections.Concurrent;
using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace ComplianceBot.Tests.Fakes;

/// <summary>
/// The Bot Framework side of Teams on 127.0.0.1, over HTTPS (the SDK's OpenID retriever requires https):
/// OpenID metadata + JWKS with endorsements (so the SDK validates tokens we mint), the AAD token endpoint,
/// and the Bot Connector REST API (send, reply, update, create conversation, members) with a transcript and
/// error injection, including an outage of the OpenID metadata or its signing keys. Speaks the real wire format so
/// the SDK's own HTTP code runs.
/// </summary>
public sealed class FakeBotConnector : IAsyncDisposable
{
    public const string Issuer = "https://api.botframework.com";
    public const string TeamsKeyId = "teams-key";
    public const string WebChatOnlyKeyId = "webchat-key";
    public const string RotatedKeyId = "teams-key-rotated";

    private readonly WebApplication _app;
    private readonly RSA _teamsKey = RSA.Create(2048);
    private readonly RSA _webChatKey = RSA.Create(2048);
    private readonly RSA _rotatedKey = RSA.Create(2048);
    private readonly ConcurrentQueue<HttpStatusCode> _failures = new();

    // The SDK keeps one OpenID configuration manager per metadata URL for the whole process (JwtTokenExtractor's
    // static cache), so each fake serves its metadata under its own path: a later fake on a reused port must not
    // find the keys of an earlier one already cached, nor a test of a cold cache find a warm one.
    private readonly string _identityPath = $"/{Guid.NewGuid():N}/v1/.well-known";
    private int _activityCounter;
    private int _identityFetches;
    private int _disposed;

    public X509Certificate2 Certificate { get; }
    public string BaseUrl { get; }

    /// <summary>Service URL to put on activities: what Teams would send (trailing slash included).</summary>
    public string ServiceUrl => BaseUrl + "/";
    public string OpenIdMetadataUrl => BaseUrl + _identityPath + "/openidconfiguration";

    public string SigningKeysUrl => BaseUrl + _identityPath + "/keys";

    /// <summary>When set, the OpenID metadata document answers with this status (an identity provider outage).</summary>
    public HttpStatusCode? MetadataFailure { get; set; }

    /// <summary>When set, the signing keys (JWKS) document answers with this status.</summary>
    public HttpStatusCode? SigningKeysFailure { get; set; }

    /// <summary>When true, requests for the metadata or the keys have their connection reset (the provider is unreachable).</summary>
    public bool IdentityUnreachable { get; set; }

    /// <summary>When true, the keys document also lists <see cref="RotatedKeyId"/> (the Bot Connector rotated its keys).</summary>
    public bool RotatedKeyPublished { get; set; }

    /// <summary>How many requests for the metadata or the keys arrived (whether they were served or failed).</summary>
    public int IdentityFetches => Volatile.Read(ref _identityFetches);

    public ConcurrentQueue<RecordedCall> Calls { get; } = new();

    /// <summary>Roster: "29:…" member id → the member JSON Teams returns (email, userPrincipalName, aadObjectId).</summary>
    public ConcurrentDictionary<string, JsonObject> Members { get; } = new();

    /// <summary>How long a single member lookup takes to answer (a slow or stalled connector).</summary>
    public TimeSpan MemberLookupDelay { get; set; }

    /// <summary>Files served at /files/{name}; downloads must come without an Authorization header.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();

    /// <summary>When set, connector calls without "Bearer {token}" are refused with 401, as the real connector does.</summary>
    public string? RequiredBearer { get; set; }

    public string? IssuedToken { get; private set; }

    public FakeBotConnector()
    {
        Certificate = CreateCertificate();
        TrustForThisUser(Certificate);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(Certificate)));
        _app = builder.Build();
        Map(_app);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Urls.First();
        BaseUrl = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    /// <summary>The next connector calls (activities, create) fail with these statuses, in order.</summary>
    public void FailNext(params HttpStatusCode[] statuses)
    {
        foreach (var status in statuses)
        {
            _failures.Enqueue(status);
        }
    }

    public IReadOnlyList<RecordedCall> Activities => [.. Calls.Where(c => c.Path.Contains("/activities", StringComparison.Ordinal))];

    /// <summary>Trusts only this fake's certificate (pinned), for the test host's HttpClients.</summary>
    public HttpMessageHandler CreateTrustingHandler()
    {
        var pinned = Certificate.GetCertHashString();
        return new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == pinned },
        };
    }

    /// <summary>A token as the Bot Connector mints it for our bot; each parameter can be made wrong for negative tests.</summary>
    public string MintToken(string audience, string serviceUrl, DateTimeOffset now, TimeSpan? lifetime = null, string issuer = Issuer, string keyId = TeamsKeyId)
    {
        var key = new RsaSecurityKey(keyId switch { WebChatOnlyKeyId => _webChatKey, RotatedKeyId => _rotatedKey, _ => _teamsKey }) { KeyId = keyId };
        var expires = now + (lifetime ?? TimeSpan.FromHours(1));
        var token = new JwtSecurityToken(
            issuer,
            audience,
            [new Claim("serviceurl", serviceUrl)],
            notBefore: (expires < now ? expires - TimeSpan.FromHours(1) : now - TimeSpan.FromMinutes(1)).UtcDateTime,
            expires: expires.UtcDateTime,
            signingCredentials: new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    private void Map(WebApplication app)
    {
        app.MapGet(_identityPath + "/openidconfiguration", (HttpContext http) => IdentityDocument(http, MetadataFailure, () => Results.Json(new
        {
            issuer = Issuer,
            authorization_endpoint = BaseUrl + "/v1/authorize",
            jwks_uri = SigningKeysUrl,
            id_token_signing_alg_values_supported = new[] { "RS256" },
            token_endpoint_auth_methods_supported = new[] { "private_key_jwt" },
        })));
        app.MapGet(_identityPath + "/keys", (HttpContext http) => IdentityDocument(http, SigningKeysFailure, () => Results.Json(new
        {
            keys = new[] { Jwk(_teamsKey, TeamsKeyId, ["msteams", "webchat"]), Jwk(_webChatKey, WebChatOnlyKeyId, ["webchat"]) }
                .Concat(RotatedKeyPublished ? [Jwk(_rotatedKey, RotatedKeyId, ["msteams"])] : []),
        })));

        app.MapPost("/{tenant}/oauth2/v2.0/token", async (string tenant, HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            Record(request, JsonSerializer.SerializeToNode(form.ToDictionary(f => f.Key, f => f.Value.ToString()))!.AsObject());
            if (form["grant_type"] != "client_credentials" || form["scope"] != "https://api.botframework.com/.default")
            {
                return Results.Json(new { error = "invalid_request" }, statusCode: 400);
            }

            IssuedToken = $"connector-token-{tenant}-{Guid.NewGuid():N}";
            return Results.Json(new { token_type = "Bearer", expires_in = 3600, ext_expires_in = 3600, access_token = IssuedToken });
        });

        app.MapGet("/files/{name}", (string name, HttpRequest request) =>
        {
            Record(request, null);
            return request.Headers.Authorization.Count > 0
                ? Results.StatusCode(401)
                : Files.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, "application/octet-stream") : Results.NotFound();
        });

        app.MapPost("/v3/conversations", async (HttpRequest request) =>
        {
            var body = await Body(request);
            Record(request, body);
            if (Refuse(request) is { } refused)
            {
                return refused;
            }

            return Results.Json(new { id = $"a:created-{Guid.NewGuid():N}", activityId = (string?)null });
        });
        app.MapPost("/v3/conversations/{conversationId}/activities", (HttpRequest request) => ActivityAsync(request));
        app.MapPost("/v3/conversations/{conversationId}/activities/{activityId}", (HttpRequest request) => ActivityAsync(request));
        app.MapPut("/v3/conversations/{conversationId}/activities/{activityId}", (string activityId, HttpRequest request) => ActivityAsync(request, activityId));
        app.MapDelete("/v3/conversations/{conversationId}/activities/{activityId}", (HttpRequest request) =>
        {
            Record(request, null);
            return Refuse(request) ?? Results.Ok();
        });
        app.MapGet("/v3/conversations/{conversationId}/members/{memberId}", async (string memberId, HttpRequest request) =>
        {
            Record(request, null);
            await Task.Delay(MemberLookupDelay, request.HttpContext.RequestAborted);
            return Refuse(request) ?? (Members.TryGetValue(memberId, out var member)
                ? Results.Json(member)
                : Results.Json(new { error = new { code = "MemberNotFoundInConversation", message = "Member not found" } }, statusCode: 404));
        });
        app.MapGet("/v3/conversations/{conversationId}/pagedmembers", (HttpRequest request) =>
        {
            Record(request, null);
            return Refuse(request) ?? Results.Json(new { members = Members.Values.ToArray() });
        });
    }

    private async Task<IResult> ActivityAsync(HttpRequest request, string? existingId = null)
    {
        var body = await Body(request);
        Record(request, body);
        PayloadCapture.AddTeams(body);
        if (Refuse(request) is { } refused)
        {
            return refused;
        }

        if (Encoding.UTF8.GetByteCount(body?.ToJsonString() ?? "") > 40 * 1024)
        {
            return Results.Json(new { error = new { code = "MessageSizeTooBig", message = "Message size too big" } }, statusCode: 413);
        }

        return Results.Json(new { id = existingId ?? $"1:{Interlocked.Increment(ref _activityCounter)}" });
    }

    private IResult IdentityDocument(HttpContext http, HttpStatusCode? failure, Func<IResult> document)
    {
        Interlocked.Increment(ref _identityFetches);
        if (IdentityUnreachable)
        {
            http.Abort();
            return Results.Empty;
        }

        return failure is { } status
            ? Results.Text("<html><body>Service Unavailable</body></html>", "text/html", statusCode: (int)status)
            : document();
    }

    private IResult? Refuse(HttpRequest request)
    {
        if (RequiredBearer is not null && request.Headers.Authorization.ToString() != $"Bearer {RequiredBearer}")
        {
            return Results.Json(new { error = new { code = "Unauthorized", message = "Authorization has been denied for this request." } }, statusCode: 401);
        }

        if (_failures.TryDequeue(out var status))
        {
            request.HttpContext.Response.Headers.RetryAfter = "0";
            return Results.Json(new { error = new { code = status.ToString(), message = "injected failure" } }, statusCode: (int)status);
        }

        return null;
    }

    private void Record(HttpRequest request, JsonObject? body) =>
        Calls.Enqueue(new RecordedCall(request.Method, Uri.UnescapeDataString(request.Path.Value ?? ""), body, request.Headers.Authorization.ToString()));

    private static async Task<JsonObject?> Body(HttpRequest request) =>
        request.ContentLength is 0 ? null : await JsonSerializer.DeserializeAsync<JsonObject>(request.Body);

    private static object Jwk(RSA rsa, string kid, string[] endorsements)
    {
        var parameters = rsa.ExportParameters(false);
        return new
        {
            kty = "RSA",
            use = "sig",
            kid,
            n = Base64UrlEncoder.Encode(parameters.Modulus),
            e = Base64UrlEncoder.Encode(parameters.Exponent),
            endorsements,
        };
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=ComplianceBot test connector {Guid.NewGuid():N}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    /// <summary>
    /// Bot Framework SDK 4.23.1 fetches OpenID metadata with a static HttpClient of its own and insists on https, so the
    /// only way to serve it from 127.0.0.1 is a certificate the process trusts. .NET on Linux trusts the current user's
    /// Root store (its own store under ~/.dotnet, not the system's); the certificate is removed again on dispose.
    /// </summary>
    private static void TrustForThisUser(X509Certificate2 certificate)
    {
        using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        store.Add(publicOnly);
    }

    private static void Untrust(X509Certificate2 certificate)
    {
        using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        foreach (var match in store.Certificates.Find(X509FindType.FindByThumbprint, certificate.Thumbprint, validOnly: false))
        {
            store.Remove(match);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The host's factory may dispose us from both Dispose and DisposeAsync.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.DisposeAsync();
        Untrust(Certificate);
        _teamsKey.Dispose();
        _webChatKey.Dispose();
        _rotatedKey.Dispose();
        Certificate.Dispose();
    }
}

/// <summary>One request the fake received: the activity or form it carried, and the Authorization header.</summary>
public sealed record RecordedCall(string Method, string Path, JsonObject? Body, string Authorization);
