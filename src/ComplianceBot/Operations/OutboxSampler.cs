using Microsoft.Extensions.Options;

namespace ComplianceBot.Operations;

/// <summary>
/// Samples the outbox's depth and age for the gauges. A query per interval rather than per scrape: gauge callbacks are
/// synchronous and may run often. Registered only when telemetry is exported.
/// </summary>
public sealed class OutboxSampler(IServiceScopeFactory scopes, ComplianceMetrics metrics, TimeProvider clock, IOptions<TelemetryOptions> options, ILogger<OutboxSampler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Measuring the outbox failed");
            }

            await Task.Delay(options.Value.OutboxSampleInterval, clock, stoppingToken);
        }
    }

    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        metrics.ReportOutbox(await scope.ServiceProvider.GetRequiredService<IOutboxProbe>().MeasureAsync(cancellationToken));
    }
}
