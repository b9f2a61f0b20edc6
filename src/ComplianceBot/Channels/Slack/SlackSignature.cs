using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ComplianceBot.Channels.Slack;

public enum SignatureCheck
{
    Valid,
    Missing,
    Malformed,
    UnknownVersion,
    Stale,
    Mismatch,
}

/// <summary>
/// Slack request signing: HMAC-SHA256 of "v0:{timestamp}:{raw body}" with the signing secret, compared in constant time,
/// timestamp within 300 s either way (Bolt-JS only refuses stale-past timestamps; we also refuse future ones).
/// </summary>
public static class SlackSignature
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    public static SignatureCheck Verify(ReadOnlySpan<byte> signingSecret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || timestamp.Length > 12)
        {
            return SignatureCheck.Malformed;
        }

        var separator = signature.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            return SignatureCheck.Malformed;
        }

        if (!signature.AsSpan(0, separator).SequenceEqual("v0"))
        {
            return SignatureCheck.UnknownVersion;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
        {
            return SignatureCheck.Stale;
        }

        var hex = signature.AsSpan(separator + 1);
        Span<byte> given = stackalloc byte[32];
        if (hex.Length != 64 || Convert.FromHexString(hex, given, out _, out var written) != OperationStatus.Done || written != 32)
        {
            return SignatureCheck.Mismatch;
        }

        Span<byte> expected = stackalloc byte[32];
        Compute(signingSecret, timestamp, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The header value Slack would send for this body (used by tests and the load generator's twin).</summary>
    public static string Sign(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(Encoding.UTF8.GetBytes(signingSecret), timestamp, body, mac);
        return "v0=" + Convert.ToHexStringLower(mac);
    }

    private static void Compute(ReadOnlySpan<byte> secret, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        // One contiguous "v0:{ts}:{body}" buffer from the pool: the hot path allocates nothing per request.
        var length = 4 + timestamp.Length + body.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            "v0:"u8.CopyTo(buffer);
            var offset = 3 + Encoding.ASCII.GetBytes(timestamp, buffer.AsSpan(3));
            buffer[offset++] = (byte)':';
            body.CopyTo(buffer.AsSpan(offset));
            HMACSHA256.HashData(secret, buffer.AsSpan(0, offset + body.Length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
