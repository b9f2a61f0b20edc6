using System.Security.Cryptography;

namespace ComplianceBot.Evidence;

/// <summary>Where a stored file landed: its SHA-256 (also its key) and length.</summary>
public sealed record StoredFile(string Sha256, long Length);

/// <summary>
/// Content-addressed, write-once storage for evidence bytes. The default keeps files under the data directory;
/// <see cref="BlobEvidenceStore"/> (Azure Blob Storage) is for several hosts. Every read is verified against the hash.
/// </summary>
public interface IEvidenceStore
{
    /// <summary>Streams the content in, hashing it on the way; storing the same bytes again keeps the first copy.</summary>
    Task<StoredFile> PutAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>The stored bytes; reading to the end throws <see cref="EvidenceIntegrityException"/> if they no longer hash to <paramref name="sha256"/>.</summary>
    Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Whether the store can be written and read now (readiness); the reason when not.</summary>
    Task<string?> ProblemAsync(CancellationToken cancellationToken);
}

/// <summary>Files named by their hash in a two-level folder tree; never overwritten, read-only once written.</summary>
public sealed class FileEvidenceStore(string root) : IEvidenceStore
{
    public async Task<StoredFile> PutAsync(Stream content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(root, "incoming"));
        var temp = Path.Combine(root, "incoming", Guid.NewGuid().ToString("N"));
        string sha;
        long length;
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                length = 0;
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    length += read;
                }

                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            var final = PathFor(sha);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (File.Exists(final))
            {
                File.Delete(temp);
            }
            else
            {
                try
                {
                    File.Move(temp, final);
                    File.SetAttributes(final, FileAttributes.ReadOnly);
                }
                catch (IOException) when (File.Exists(final))
                {
                    // Another upload of the same bytes won the race; the content is identical by construction.
                    File.Delete(temp);
                }
            }

            return new StoredFile(sha, length);
        }
        finally
        {
            // Left behind only when the upload failed (too large, cancelled, I/O error).
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        var path = PathFor(sha256);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Evidence {sha256} is not in {root}.", path);
        }

        return Task.FromResult<Stream>(new Sha256VerifyingStream(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan), sha256));
    }

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathFor(sha256)));

    public Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "incoming"));
            return Task.FromResult<string?>(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult<string?>($"evidence folder {root}: {ex.Message}");
        }
    }

    private string PathFor(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Not a lower-case SHA-256 hex string.", nameof(sha256));
        }

        return Path.Combine(root, sha256[..2], sha256[2..4], sha256);
    }
}
