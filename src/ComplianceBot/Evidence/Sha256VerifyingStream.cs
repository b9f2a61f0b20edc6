using System.Security.Cryptography;

namespace ComplianceBot.Evidence;

/// <summary>Evidence bytes that no longer match the SHA-256 recorded when they were stored.</summary>
public sealed class EvidenceIntegrityException(string message) : IOException(message);

/// <summary>
/// Reads evidence through while hashing it; at the end of the stream the hash must equal the recorded one, otherwise
/// the read fails instead of handing altered bytes to an export or an auditor.
/// </summary>
public sealed class Sha256VerifyingStream(Stream inner, string expectedSha256) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _verified;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Observe(buffer, inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Observe(buffer.Span, read);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        _hash.Dispose();
        await base.DisposeAsync();
    }

    private int Observe(ReadOnlySpan<byte> buffer, int read)
    {
        if (read > 0)
        {
            _hash.AppendData(buffer[..read]);
            return read;
        }

        if (buffer.Length > 0 && !_verified)
        {
            _verified = true;
            var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (!string.Equals(actual, expectedSha256, StringComparison.Ordinal))
            {
                throw new EvidenceIntegrityException($"Evidence {expectedSha256} no longer matches its SHA-256 (the stored bytes hash to {actual}).");
            }
        }

        return read;
    }
}
