using ComplianceBot.Outbox;
using ComplianceBot.Tasks;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Reminders;

/// <summary>
/// One pass of the scheduler: generate occurrences for new periods (on each host's first sweep of a UTC day), mark
/// occurrences whose due date passed as missed, plan the ladder for tasks coming due and for expiring evidence, run the
/// other <see cref="IScheduledWork"/> (the weekly digest), then send what is due. Tests call <see cref="RunOnceAsync"/>
/// after moving the fake clock.
/// </summary>
public sealed class ReminderSweep(IServiceScopeFactory scopes, ReminderDispatcher dispatcher, IEnumerable<IScheduledWork> work, TimeProvider clock, ILogger<ReminderSweep> logger)
{
    private DateOnly _generatedFor;

    public ReminderDispatcher Dispatcher => dispatcher;

    public async Task<DispatchResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var occurrences = scope.ServiceProvider.GetRequiredService<TaskGenerator>();
            if (_generatedFor != today)
            {
                // Only a throttle: every host generates, and the generator is idempotent (unique control + period).
                await occurrences.GenerateAsync(cancellationToken);
                _generatedFor = today;
            }

            await occurrences.MarkMissedAsync(cancellationToken);

            var planner = scope.ServiceProvider.GetRequiredService<ReminderPlanner>();
            await planner.PlanDueTasksAsync(cancellationToken);
            await planner.PlanEvidenceRefreshAsync(cancellationToken);
        }

        foreach (var item in work)
        {
            try
            {
                await item.RunAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One failing job (a digest query) must not hold back the reminders that are due.
                logger.LogError(ex, "Scheduled work {Work} failed; trying again at the next sweep", item.GetType().Name);
            }
        }

        return await dispatcher.DispatchDueAsync(cancellationToken);
    }
}

/// <summary>Runs the sweep every <see cref="ReminderOptions.SweepInterval"/> on the injected clock.</summary>
public sealed class ReminderService(ReminderSweep sweep, TimeProvider clock, IOptions<ReminderOptions> options, ILogger<ReminderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            logger.LogInformation("Reminders: the scheduler is off (Reminders:Enabled=false)");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await sweep.RunOnceAsync(stoppingToken);
                if (result.Sent + result.Failed > 0)
                {
                    logger.LogInformation("Reminders: {Sent} sent, {Failed} failed, {Retrying} to retry", result.Sent, result.Failed, result.Retrying);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Reminder sweep failed; trying again next interval");
            }

            try
            {
                await Task.Delay(options.Value.SweepInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
