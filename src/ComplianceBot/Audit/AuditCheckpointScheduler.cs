using Microsoft.Extensions.Options;

namespace ComplianceBot.Audit;

/// <summary>Loads the signing key at startup, then signs the chain head every <see cref="AuditOptions.CheckpointInterval"/>; a failed round is logged and retried at the next tick.</summary>
internal sealed class AuditCheckpointScheduler(IServiceScopeFactory scopes, AuditSigner signer, IOptions<AuditOptions> options, TimeProvider clock, ILogger<AuditCheckpointScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Loading (or generating) the key at startup, and logging its id, lets an operator hand the id to the auditor.
        logger.LogInformation("Audit signing key id {KeyId} (GET /api/audit/signing-key)", signer.KeyId);
        if (!options.Value.CheckpointsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().CreateAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Audit checkpoint failed; retrying at the next interval");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}
