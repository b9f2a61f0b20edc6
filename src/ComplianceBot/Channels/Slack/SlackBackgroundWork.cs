using System.Threading.Channels;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// Work that must run right after an interaction is acknowledged (Slack shows an error if we take over 3 s).
/// Interactivity is not retried by Slack and the flow's own state is saved before the reply is sent, so an in-process
/// queue is enough here; Events API deliveries go through the durable inbox instead.
/// </summary>
public sealed class SlackBackgroundWork(IServiceScopeFactory scopes, ILogger<SlackBackgroundWork> logger) : BackgroundService
{
    private const int Parallelism = 8;
    private readonly Channel<Func<IServiceProvider, CancellationToken, Task>> _queue =
        Channel.CreateBounded<Func<IServiceProvider, CancellationToken, Task>>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });

    public ValueTask EnqueueAsync(Func<IServiceProvider, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(work, cancellationToken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Parallel.ForEachAsync(_queue.Reader.ReadAllAsync(stoppingToken), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stoppingToken },
            async (work, ct) =>
            {
                try
                {
                    await RunInScopeAsync(scopes, work, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogError(ex, "Slack follow-up after an interaction failed");
                }
            });

    /// <summary>
    /// Runs work in a fresh scope, once more if it lost a race on a unique key: two first turns of the same person at
    /// once (a DM and a button) both try to link their Slack account; the second attempt finds the link.
    /// </summary>
    public static async Task RunInScopeAsync(IServiceScopeFactory scopes, Func<IServiceProvider, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await work(scope.ServiceProvider, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            await using var retry = scopes.CreateAsyncScope();
            await work(retry.ServiceProvider, cancellationToken);
        }
    }
}
