using Microsoft.Extensions.Http.Logging;

namespace ComplianceBot.Operations;

/// <summary>
/// Replaces IHttpClientFactory's default request logging (which writes the full URL) with one that writes a redacted
/// URL: Slack's response_url and a pipeline's callback URL are capabilities, so their paths or queries must not reach logs.
/// </summary>
public static class RedactedHttpLogging
{
    public static IHttpClientBuilder AddRedactedLogging(this IHttpClientBuilder builder, Func<string?, string> redact) =>
        builder.RemoveAllLoggers().AddLogger(sp => new RedactingLogger(sp.GetRequiredService<ILoggerFactory>().CreateLogger($"System.Net.Http.HttpClient.{builder.Name}"), redact));

    /// <summary>Keeps Slack Web API method paths (/api/chat.postMessage) and only the first segment of any other path.</summary>
    public static string RedactSlackUrl(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "(invalid URL)";
        }

        var path = uri.AbsolutePath;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kept = segments is ["api", ..] ? path : segments.Length == 0 ? "/" : $"/{segments[0]}/…";
        return uri.GetLeftPart(UriPartial.Authority) + kept;
    }

    private sealed class RedactingLogger(ILogger logger, Func<string?, string> redact) : IHttpClientLogger
    {
        public object? LogRequestStart(HttpRequestMessage request)
        {
            logger.LogInformation("Sending HTTP request {Method} {Url}", request.Method, redact(request.RequestUri?.ToString()));
            return null;
        }

        public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
            logger.LogInformation("Received HTTP response for {Method} {Url}: {Status} after {ElapsedMs} ms",
                request.Method, redact(request.RequestUri?.ToString()), (int)response.StatusCode, (int)elapsed.TotalMilliseconds);

        public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
            logger.LogWarning("HTTP request {Method} {Url} failed after {ElapsedMs} ms: {Error}",
                request.Method, redact(request.RequestUri?.ToString()), (int)elapsed.TotalMilliseconds, exception.GetType().Name);
    }
}
