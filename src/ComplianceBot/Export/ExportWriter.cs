using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ComplianceBot.Export;

/// <summary>One file of the archive as listed in manifest.json.</summary>
public sealed record ManifestEntry(string Path, long Bytes, string Sha256);

/// <summary>
/// Writes entries straight into a zip on the response stream (never the whole archive in memory), hashing each
/// entry on the way so manifest.json can list every file's SHA-256.
/// </summary>
public sealed class ExportWriter(ZipArchive zip, ExportPeriod period, DateTimeOffset generatedAt)
{
    /// <summary>Readable JSON for files an auditor opens by hand.</summary>
    public static readonly JsonSerializerOptions Indented = new(JsonSerializerOptions.Web) { WriteIndented = true };

    private readonly List<ManifestEntry> _entries = [];
    private readonly HashSet<string> _paths = new(StringComparer.OrdinalIgnoreCase);

    public ExportPeriod Period => period;

    public DateTimeOffset GeneratedAt => generatedAt;

    public IReadOnlyList<ManifestEntry> Entries => _entries;

    public bool Contains(string path) => _paths.Contains(path);

    /// <summary>Adds one entry; <paramref name="write"/> writes its content to the given stream.</summary>
    public async Task AddAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var normalized = NormalizePath(path);
        if (!_paths.Add(normalized))
        {
            throw new InvalidOperationException($"The export already has an entry named {normalized}.");
        }

        var entry = zip.CreateEntry(normalized, CompressionLevel.Fastest);
        entry.LastWriteTime = generatedAt;
        await using var target = await entry.OpenAsync(cancellationToken);
        await using var hashing = new HashingStream(target);
        await write(hashing, cancellationToken);
        await hashing.FlushAsync(cancellationToken);
        _entries.Add(new ManifestEntry(normalized, hashing.Length, hashing.Sha256()));
    }

    public Task AddFileAsync(string path, Stream content, CancellationToken cancellationToken) =>
        AddAsync(path, (target, ct) => content.CopyToAsync(target, ct), cancellationToken);

    public Task AddTextAsync(string path, string text, CancellationToken cancellationToken) =>
        AddAsync(path, async (target, ct) => await target.WriteAsync(Encoding.UTF8.GetBytes(text), ct), cancellationToken);

    /// <summary>Writes a CSV (RFC 4180, UTF-8, header row first) row by row from an async sequence.</summary>
    public Task AddCsvAsync<T>(string path, IReadOnlyList<string> header, IAsyncEnumerable<T> rows, Func<T, IEnumerable<string?>> fields, CancellationToken cancellationToken) =>
        AddAsync(path, async (target, ct) =>
        {
            await using var writer = new StreamWriter(target, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
            await writer.WriteAsync(CsvLine(header));
            await foreach (var row in rows.WithCancellation(ct))
            {
                await writer.WriteAsync(CsvLine(fields(row)));
            }
        }, cancellationToken);

    /// <summary>Writes each item as one JSON line.</summary>
    public Task AddJsonLinesAsync<T>(string path, IAsyncEnumerable<T> rows, CancellationToken cancellationToken) =>
        AddAsync(path, async (target, ct) =>
        {
            var newline = "\n"u8.ToArray();
            await foreach (var row in rows.WithCancellation(ct))
            {
                await JsonSerializer.SerializeAsync(target, row, JsonSerializerOptions.Web, ct);
                await target.WriteAsync(newline, ct);
            }
        }, cancellationToken);

    internal async Task WriteManifestAsync(CancellationToken cancellationToken)
    {
        var manifest = new
        {
            period = period.Label,
            periodStart = period.Start,
            periodEnd = period.End,
            generatedAt,
            algorithm = "SHA-256",
            files = _entries,
        };
        var entry = zip.CreateEntry("manifest.json", CompressionLevel.Fastest);
        entry.LastWriteTime = generatedAt;
        await using var target = await entry.OpenAsync(cancellationToken);
        await JsonSerializer.SerializeAsync(target, manifest, Indented, cancellationToken);
    }

    public static string CsvLine(IEnumerable<string?> fields) => string.Join(',', fields.Select(Csv)) + "\r\n";

    public static string Csv(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny("\",\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>A safe archive path: forward slashes, no rooted or parent segments, no characters Windows refuses.</summary>
    public static string SafeName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat([':', '*', '?', '"', '<', '>', '|', '\\', '/']).ToHashSet();
        var cleaned = new string([.. name.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c)]).Trim().TrimStart('.');
        return cleaned.Length == 0 ? "_" : cleaned;
    }

    private static string NormalizePath(string path)
    {
        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s is "." or ".."))
        {
            throw new ArgumentException($"Invalid export path '{path}'.", nameof(path));
        }

        return string.Join('/', segments);
    }

    /// <summary>Pass-through write stream that counts and hashes what goes through.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public override long Length => _length;

        public string Sha256() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _hash.AppendData(buffer.Span);
            _length += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _hash.AppendData(buffer, offset, count);
            _length += count;
            inner.Write(buffer, offset, count);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
