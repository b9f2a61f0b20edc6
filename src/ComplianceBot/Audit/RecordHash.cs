using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ComplianceBot.Audit;

/// <summary>
/// The one hashing scheme of our records (audit events, attestations; VERIFY.md): each field as
/// "&lt;UTF-16 length&gt;:&lt;field&gt;\n" in UTF-8, so no choice of values can make two different records serialise alike,
/// then SHA-256 as lowercase hex. Written into one pooled buffer: an export re-checks every attestation's hash for each
/// file the row appears in, and the StringBuilder-and-copies version was a large share of its allocations.
/// </summary>
public static class RecordHash
{
    public static string Of(params ReadOnlySpan<string> fields)
    {
        var size = 0;
        foreach (var field in fields)
        {
            size += Encoding.UTF8.GetMaxByteCount(field.Length) + 12; // length digits, ':' and '\n'
        }

        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var written = 0;
            foreach (var field in fields)
            {
                field.Length.TryFormat(buffer.AsSpan(written), out var digits, provider: CultureInfo.InvariantCulture);
                written += digits;
                buffer[written++] = (byte)':';
                written += Encoding.UTF8.GetBytes(field, buffer.AsSpan(written));
                buffer[written++] = (byte)'\n';
            }

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
