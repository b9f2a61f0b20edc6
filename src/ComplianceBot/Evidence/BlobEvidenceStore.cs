using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace ComplianceBot.Evidence;

/// <summary>
/// Evidence in an Azure Blob Storage container, named by SHA-256 (<c>sha256/&lt;hex&gt;</c>) so every host finds every
/// file. Created with If-None-Match: * so nothing is ever overwritten, optionally under a version-level immutability
/// policy set in the same request; every read is checked against the hash.
/// </summary>
public sealed class BlobEvidenceStore(BlobContainerClient container, BlobEvidenceOptions options, UploadStaging staging, TimeProvider clock, ILogger<BlobEvidenceStore> logger) : IEvidenceStore
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task<StoredFile> PutAsync(Stream content, CancellationToken cancellationToken)
    {
        // The name is the hash, known only once the bytes are read: spool to a staged file in the data folder (at most
        // Evidence:MaxBytes) rather than memory, then upload it in one conditional request.
        await using var spool = staging.Create();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await spool.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        var length = spool.Length;
        try
        {
            await UploadAsync(sha, spool, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound && options.CreateContainer)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await UploadAsync(sha, spool, cancellationToken);
        }

        return new StoredFile(sha, length);
    }

    public async Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        try
        {
            var download = await Blob(sha256).DownloadStreamingAsync(cancellationToken: cancellationToken);
            return new Sha256VerifyingStream(download.Value.Content, sha256);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new FileNotFoundException($"Evidence {sha256} is not in container {container.Name}.", sha256, ex);
        }
    }

    public async Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) =>
        (await Blob(sha256).ExistsAsync(cancellationToken)).Value;

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        // A probe answers in seconds; the SDK's retries would hold it for half a minute.
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(ProbeTimeout);
        var where = $"evidence container {container.Name} at {container.Uri.GetLeftPart(UriPartial.Authority)}";
        try
        {
            if (options.CreateContainer)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: probe.Token);
            }

            var properties = await container.GetPropertiesAsync(cancellationToken: probe.Token);
            return options.ImmutabilityDays > 0 && !properties.Value.HasImmutableStorageWithVersioning
                ? $"Evidence:Blob:ImmutabilityDays is {options.ImmutabilityDays} but container {container.Name} has no version-level immutability support (enable it on the container, or set 0)"
                : null;
        }
        catch (RequestFailedException ex) when (ex.Status != 0)
        {
            return $"{where}: {ex.Status} {ex.ErrorCode ?? ex.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"{where}: no answer within {ProbeTimeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or Azure.Identity.AuthenticationFailedException or Azure.Identity.CredentialUnavailableException)
        {
            return $"{where}: {ex.Message.Split('\n')[0]}";
        }
    }

    private async Task UploadAsync(string sha, Stream spool, CancellationToken cancellationToken)
    {
        spool.Position = 0;
        var upload = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
            Metadata = new Dictionary<string, string> { ["sha256"] = sha },
        };
        if (options.ImmutabilityDays > 0)
        {
            upload.ImmutabilityPolicy = new BlobImmutabilityPolicy
            {
                ExpiresOn = clock.GetUtcNow().AddDays(options.ImmutabilityDays),
                PolicyMode = options.LockImmutability ? BlobImmutabilityPolicyMode.Locked : BlobImmutabilityPolicyMode.Unlocked,
            };
        }

        try
        {
            await Blob(sha).UploadAsync(spool, upload, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            // Same name means same bytes: the first copy stays, as it must.
            logger.LogDebug("Evidence {Sha256} was already stored; kept the first copy", sha);
        }
    }

    private BlobClient Blob(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Not a lower-case SHA-256 hex string.", nameof(sha256));
        }

        return container.GetBlobClient("sha256/" + sha256);
    }
}
