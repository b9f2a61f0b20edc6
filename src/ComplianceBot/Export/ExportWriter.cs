using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ComplianceBot.Export;

/// <summary>One file of the archive as listed in manifest.json.</summary>
public sealed record ManifestEntry(string Path, long Bytes, string Sha256);

/// <summary>An evidence file that was missing or no longer matched its recorded SHA-256 when the export read it.</summary>
public sealed record EvidenceProblem(long EvidenceId, string ArchivePath, string RecordedSha256, string? FoundSha256, string Problem);

/// <summary>
/// Writes entries straight into a zip on the response stream (never the whole archive in memory), hashing each
/// entry on the way so manifest.json can list every file's SHA-256.
/// </summary>
public sealed class ExportWriter(ZipArchive zip, ExportPeriod period, DateTimeOffset generatedAt, string requestedBy = "system")
{
    /// <summary>Readable JSON for files an auditor opens by hand.</summary>
    public static readonly JsonSerializerOptions Indented = new(JsonSerializerOptions.Web) { WriteIndented = true };

    private readonly List<ManifestEntry> _entries = [];
    private readonly List<EvidenceProblem> _evidenceProblems = [];
    private readonly HashSet<string> _paths = new(StringComparer.OrdinalIgnoreCase);

    public ExportPeriod Period => period;

    public DateTimeOffset GeneratedAt => generatedAt;

    /// <summary>The audit actor who asked for the export (a person's key, or break-glass).</summary>
    public string RequestedBy => requestedBy;

    public IReadOnlyList<ManifestEntry> Entries => _entries;

    public bool Contains(string path) => _paths.Contains(path);

    /// <summary>Evidence files found missing or changed so far (written to evidence-problems.csv at the end).</summary>
    public IReadOnlyList<EvidenceProblem> EvidenceProblems => _evidenceProblems;

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
        // No flush: closing the entry ends its deflate stream; a flush per entry only added a sync block and a round trip.
        await write(hashing, cancellationToken);
        _entries.Add(new ManifestEntry(normalized, hashing.Length, hashing.Sha256()));
    }

    public Task AddFileAsync(string path, Stream content, CancellationToken cancellationToken) =>
        AddAsync(path, (target, ct) => content.CopyToAsync(target, ct), cancellationToken);

    /// <summary>
    /// Copies an evidence file while checking it against the SHA-256 recorded at upload. A missing file is left out; a
    /// changed or unreadable one is still included as found. Either way it is listed in <see cref="EvidenceProblems"/>,
    /// and the export goes on: one bad file never aborts the stream or passes for the recorded evidence.
    /// </summary>
    public async Task<bool> AddEvidenceAsync(string path, long evidenceId, string recordedSha256, Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken)
    {
        Stream content;
        try
        {
            content = await open(cancellationToken);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            _evidenceProblems.Add(new EvidenceProblem(evidenceId, NormalizePath(path), recordedSha256, null, $"missing from the evidence store ({ex.GetType().Name}); not in this export"));
            return false;
        }

        string? readError = null;
        await using (content)
        {
            await AddAsync(path, async (target, ct) =>
            {
                try
                {
                    await content.CopyToAsync(target, ct);
                }
                catch (Evidence.EvidenceIntegrityException)
                {
                    // The store's verifying read saw every byte and found another hash: the mismatch is reported below.
                }
                catch (IOException ex)
                {
                    readError = ex.Message;
                }
            }, cancellationToken);
        }

        var written = _entries[^1];
        if (readError is not null)
        {
            _evidenceProblems.Add(new EvidenceProblem(evidenceId, written.Path, recordedSha256, written.Sha256, $"could not be read completely ({readError}); the export holds the first {written.Bytes} bytes"));
        }
        else if (written.Sha256 != recordedSha256)
        {
            _evidenceProblems.Add(new EvidenceProblem(evidenceId, written.Path, recordedSha256, written.Sha256,
                "the stored file no longer matches the SHA-256 recorded at upload: it was replaced or altered; the export holds the bytes as found"));
        }

        return readError is null && written.Sha256 == recordedSha256;
    }

    public Task AddTextAsync(string path, string text, CancellationToken cancellationToken) =>
        AddAsync(path, async (target, ct) => await target.WriteAsync(Encoding.UTF8.GetBytes(text), ct), cancellationToken);

    /// <summary>Writes a CSV (see <see cref="CsvFiles"/>: RFC 4180, UTF-8, formulas escaped, header row first) row by row from an async sequence.</summary>
    public Task AddCsvAsync<T>(string path, IReadOnlyList<string> header, IAsyncEnumerable<T> rows, Func<T, IEnumerable<string?>> fields, CancellationToken cancellationToken) =>
        AddAsync(path, (target, ct) => CsvFiles.WriteAsync(target, header, rows, fields, ct), cancellationToken);

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

    /// <summary>
    /// manifest.json lists every file written so far; manifest.sig is its ECDSA P-256 signature (VERIFY.md, section 2).
    /// The manifest is serialised once and those exact bytes are both stored and signed.
    /// </summary>
    internal async Task WriteManifestAsync(Audit.AuditSigner signer, CancellationToken cancellationToken)
    {
        var manifest = new
        {
            format = "compliancebot-export-1",
            period = period.Label,
            periodStart = period.Start,
            periodEnd = period.End,
            generatedAt = Audit.AuditEvent.FormatTimestamp(generatedAt),
            algorithm = "SHA-256",
            signature = new { file = "manifest.sig", algorithm = "ECDSA P-256 SHA-256, IEEE P1363 r||s, hex", keyId = signer.KeyId, publicKey = "signing-key.pem" },
            files = _entries,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, Indented);
        await WriteRawAsync("manifest.json", bytes, cancellationToken);
        await WriteRawAsync("manifest.sig", Encoding.ASCII.GetBytes(signer.Sign(bytes) + "\n"), cancellationToken);
    }

    private async Task WriteRawAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(path, CompressionLevel.Fastest);
        entry.LastWriteTime = generatedAt;
        await using var target = await entry.OpenAsync(cancellationToken);
        await target.WriteAsync(bytes, cancellationToken);
    }

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
