namespace ComplianceBot.Evidence;

/// <summary>At startup, removes partial uploads an earlier run left when it was killed mid-upload.</summary>
public sealed class StagingCleanup(StagingFolder staging, IEvidenceStore store, ILogger<StagingCleanup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var removed = StagingFolder.RemoveLeftovers(staging.Path);
        if (store is FileEvidenceStore files)
        {
            removed += StagingFolder.RemoveLeftovers(files.IncomingPath);
        }

        if (removed > 0)
        {
            logger.LogWarning("Removed {Count} partial upload(s) left by an earlier run that stopped mid-upload", removed);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
