namespace ComplianceBot.Evidence;

/// <summary>At startup, removes staged uploads an earlier run left behind (see <see cref="UploadStaging"/>).</summary>
public sealed class UploadStagingCleanup(UploadStaging staging) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        staging.RemoveStale();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
