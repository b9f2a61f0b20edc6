using System.Security.Cryptography;

namespace ComplianceBot.Evidence;

/// <summary>Where a stored file landed: its SHA-256 (also its key) and length.</summary>
public sealed record StoredFile(string Sha256, long Length);

/// <summary>
/// Content-addressed, write-once storage for evidence bytes. The default keeps files under the data directory;
/// a blob store implementation can replace it for scale-out.
/// </summary>
public interface IEvidenceStore
{
    /// <summary>Streams the content in, hashing it on the way; storing the same bytes again keeps the first copy.</summary>
    Task<StoredFile> PutAsync(Stream content, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken);
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

    public Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new FileStream(PathFor(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan));

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathFor(sha256)));

    private string PathFor(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Not a lower-case SHA-256 hex string.", nameof(sha256));
        }

        return Path.Combine(root, sha256[..2], sha256[2..4], sha256);
    }
}
