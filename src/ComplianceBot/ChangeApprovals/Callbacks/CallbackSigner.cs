using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ComplianceBot.ChangeApprovals.Callbacks;

/// <summary>
/// Signs a callback the way GitHub signs webhooks (X-Hub-Signature-256), with the time bound in: the pipeline computes
/// HMAC-SHA256 over "{X-ComplianceBot-Timestamp}.{raw body}" with the shared secret, compares it in constant time with
/// X-ComplianceBot-Signature-256 ("sha256=" + lowercase hex), and refuses a timestamp more than 5 minutes old.
/// </summary>
public sealed class CallbackSigner(IOptions<CallbackOptions> options, TimeProvider clock)
{
    public const string SignatureHeader = "X-ComplianceBot-Signature-256";
    public const string TimestampHeader = "X-ComplianceBot-Timestamp";

    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>A POST of <paramref name="body"/> (JSON) to <paramref name="url"/> carrying the timestamp and signature headers.</summary>
    public HttpRequestMessage CreateRequest(string url, byte[] body)
    {
        var secret = options.Value.Secret;
        if (string.IsNullOrWhiteSpace(secret))
        {
            throw new InvalidOperationException("Changes:Callbacks:Secret is not set, so the callback cannot be signed.");
        }

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
        return request;
    }
}
