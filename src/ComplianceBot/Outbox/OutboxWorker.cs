using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Outbox;

/// <summary>Runs the dispatcher whenever a save wrote outbox rows, and every poll interval for retries and other hosts' rows.</summary>
public sealed class OutboxWorker(IServiceScopeFactory scopes, OutboxDispatcher dispatcher, Wakeup<OutboxWorker> wakeup, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxWorker> logger)
    : BackgroundService
{
    private DateTimeOffset _nextCleanup = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            logger.LogInformation("Outbox: the background dispatcher is off (Outbox:Enabled=false)");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await dispatcher.DispatchDueAsync(stoppingToken);
                if (result.Failed + result.Unconfirmed > 0)
                {
                    logger.LogWarning("Outbox: {Parked} parked, {Unconfirmed} unconfirmed", result.Failed, result.Unconfirmed);
                }

                await CleanupAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Outbox pass failed; trying again at the next poll");
            }

            try
            {
                await wakeup.WaitAsync(options.Value.PollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Deletes delivered and superseded rows past <see cref="OutboxOptions.Retention"/> (updates first: they point at the cards).</summary>
    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < _nextCleanup)
        {
            return;
        }

        _nextCleanup = now + TimeSpan.FromMinutes(10);
        var before = now - options.Value.Retention;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.ComplianceDbContext>();
        var old = db.Outbox.Where(m => (m.Status == OutboxStatus.Sent || m.Status == OutboxStatus.Superseded) && m.CreatedAt < before);
        await old.Where(m => m.ReplacesId != null).ExecuteDeleteAsync(cancellationToken);
        await old.Where(m => !db.Outbox.Any(u => u.ReplacesId == m.Id)).ExecuteDeleteAsync(cancellationToken);
    }
}
