using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Web;

/// <summary>
/// The web chat lets the caller pick any identity, so a page on another site must not be able to drive it through the
/// browser of someone running the host (CSRF, DNS rebinding): requests must name a local Host (or one configured), come
/// from our own origin, and POST /api/chat must be JSON (a cross-site form cannot send that without a CORS preflight).
/// Every answer carries a CSP built from the page's own inline script, X-Frame-Options DENY and nosniff.
/// </summary>
public static partial class WebChatSecurity
{
    public static readonly string[] LocalHosts = ["localhost", "127.0.0.1", "::1", "[::1]"];

    /// <summary>script-src is pinned to the SHA-256 of the page's inline script(s), computed from the page we serve.</summary>
    public static string ContentSecurityPolicy(string page)
    {
        var hashes = InlineScript().Matches(page)
            .Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'");
        return $"default-src 'none'; script-src {string.Join(' ', hashes)}; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; " +
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    public static TBuilder RequireLocalSameOrigin<TBuilder>(this TBuilder builder, string contentSecurityPolicy) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = contentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";

            var options = http.RequestServices.GetRequiredService<IOptions<WebChatOptions>>().Value;
            if (Refusal(http.Request, options) is { } reason)
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebChatSecurity))
                    .LogWarning("Refused a web chat request to {Path}: {Reason}", http.Request.Path, reason);
                return reason.StartsWith("POST", StringComparison.Ordinal)
                    ? TypedResults.Problem(reason, statusCode: StatusCodes.Status415UnsupportedMediaType)
                    : TypedResults.Problem(reason, statusCode: StatusCodes.Status403Forbidden);
            }

            return await next(context);
        });

    /// <summary>Null when the request may go on; otherwise why not (for the log and the 403/415 body).</summary>
    public static string? Refusal(HttpRequest request, WebChatOptions options)
    {
        var host = request.Host.Host;
        var allowed = options.AllowedHosts.Count > 0 ? options.AllowedHosts : [.. LocalHosts];
        if (!allowed.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return $"the Host '{host}' is not one the web chat answers (WebChat:AllowedHosts; default localhost only)";
        }

        // Browsers send Sec-Fetch-Site on every request; "none" is the user opening the page themselves.
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none"))
        {
            return $"a cross-site request (Sec-Fetch-Site: {fetchSite})";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && (!Uri.TryCreate(origin, UriKind.Absolute, out var from)
            || !string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            return $"a request from another origin ({origin})";
        }

        if (HttpMethods.IsPost(request.Method) && !request.Path.StartsWithSegments("/api/chat/files") && !request.HasJsonContentType())
        {
            return "POST /api/chat takes application/json";
        }

        return null;
    }

    [GeneratedRegex(@"<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();
}
