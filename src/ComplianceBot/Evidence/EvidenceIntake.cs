using Microsoft.Extensions.Options;

namespace ComplianceBot.Evidence;

public abstract record IntakeResult
{
    public sealed record Accepted(StoredFile File, string FileName, string? ContentType) : IntakeResult;

    public sealed record Rejected(string Message) : IntakeResult;
}

/// <summary>
/// Takes a file in: extension on the allow-list, content that starts with that type's signature, at most
/// <see cref="EvidenceOptions.MaxBytes"/> (the download stops there), hashed while it streams into the store.
/// </summary>
public sealed class EvidenceIntake(IEvidenceStore store, IOptions<EvidenceOptions> options)
{
    private const int HeaderLength = 512;

    // Magic numbers per extension; text types instead must hold no NUL byte and be valid UTF-8 in their first bytes.
    private static readonly Dictionary<string, byte[][]> Signatures = new()
    {
        [".pdf"] = [[0x25, 0x50, 0x44, 0x46, 0x2D]],
        [".png"] = [[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]],
        [".jpg"] = [[0xFF, 0xD8, 0xFF]],
        [".jpeg"] = [[0xFF, 0xD8, 0xFF]],
        [".gif"] = [[0x47, 0x49, 0x46, 0x38, 0x37, 0x61], [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]],
        [".zip"] = [[0x50, 0x4B, 0x03, 0x04], [0x50, 0x4B, 0x05, 0x06]],
        [".xlsx"] = [[0x50, 0x4B, 0x03, 0x04]],
        [".docx"] = [[0x50, 0x4B, 0x03, 0x04]],
        [".pptx"] = [[0x50, 0x4B, 0x03, 0x04]],
    };

    private static readonly HashSet<string> TextTypes = [".csv", ".txt", ".json", ".md", ".log"];

    public EvidenceOptions Options => options.Value;

    public async Task<IntakeResult> AcceptAsync(string fileName, string? contentType, long? declaredLength, Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/')).Trim();
        var extension = Path.GetExtension(name).ToLowerInvariant();
        var allowed = Options.EffectiveExtensions;
        if (name.Length == 0 || !allowed.Contains(extension))
        {
            return new IntakeResult.Rejected($"I can't accept \"{name}\": allowed file types are {string.Join(", ", allowed)}.");
        }

        if (declaredLength > Options.MaxBytes)
        {
            return new IntakeResult.Rejected(TooLarge(name));
        }

        await using var source = await open(cancellationToken);
        var header = new byte[HeaderLength];
        var headerLength = await source.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken);
        if (!SignatureMatches(extension, header.AsSpan(0, headerLength)))
        {
            return new IntakeResult.Rejected($"\"{name}\" does not look like a {extension} file inside, so I didn't store it. Please upload the original file.");
        }

        try
        {
            await using var capped = new CappedStream(new PrefixedStream(header.AsMemory(0, headerLength), source), Options.MaxBytes);
            var stored = await store.PutAsync(capped, cancellationToken);
            return new IntakeResult.Accepted(stored, name, contentType);
        }
        catch (FileTooLargeException)
        {
            return new IntakeResult.Rejected(TooLarge(name));
        }
    }

    public static bool SignatureMatches(string extension, ReadOnlySpan<byte> header)
    {
        if (Signatures.TryGetValue(extension, out var magics))
        {
            foreach (var magic in magics)
            {
                if (header.StartsWith(magic))
                {
                    return true;
                }
            }

            return false;
        }

        if (TextTypes.Contains(extension))
        {
            if (header.Contains((byte)0))
            {
                return false;
            }

            // The header may end mid-character; only an invalid sequence before the last 3 bytes counts.
            var checkable = header.Length > 3 ? header[..^3] : header;
            return System.Text.Unicode.Utf8.IsValid(TrimPartial(checkable));
        }

        return false;
    }

    private static ReadOnlySpan<byte> TrimPartial(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        while (end > 0 && (bytes[end - 1] & 0xC0) == 0x80)
        {
            end--;
        }

        return end > 0 && bytes[end - 1] >= 0xC0 ? bytes[..(end - 1)] : bytes[..end];
    }

    private string TooLarge(string name) => $"\"{name}\" is larger than the {Options.MaxBytes / (1024 * 1024)} MB limit. Please upload a smaller export or a link instead.";

    private sealed class FileTooLargeException() : IOException("The file exceeds the evidence size limit.");

    /// <summary>The Stream plumbing both wrappers share: read-only, forward-only, every read funnelled into ReadAsync(Memory).</summary>
    private abstract class ForwardOnlyReadStream : Stream
    {
        public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Re-attaches the already-read header in front of the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ForwardOnlyReadStream
    {
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < prefix.Length)
            {
                var count = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.Slice(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }

            return await rest.ReadAsync(buffer, cancellationToken);
        }
    }

    /// <summary>Fails the read as soon as more than <paramref name="max"/> bytes have come through.</summary>
    private sealed class CappedStream(Stream inner, long max) : ForwardOnlyReadStream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _read += read;
            return _read > max ? throw new FileTooLargeException() : read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
