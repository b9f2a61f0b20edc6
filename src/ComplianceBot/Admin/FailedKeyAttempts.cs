using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Admin;

/// <summary>
/// Counts wrong API keys per client with the framework's fixed-window limiter: once a client has spent its failures for the
/// minute, every key it presents is refused (429) until the window ends, so guessing costs time. Logged once a minute in
/// aggregate, not once per attempt, so a scan cannot flood the log.
/// </summary>
public sealed class FailedKeyAttempts : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private ConcurrentDictionary<string, int> _failures = new();
    private int _refused;

    public FailedKeyAttempts(IOptions<AdminOptions> options)
    {
        var permits = Math.Max(1, options.Value.FailedKeyAttemptsPerMinute);
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
    }

    /// <summary>True while the client has no failures left this minute (its next attempt is refused unchecked).</summary>
    public bool IsLockedOut(string client) => _limiter.GetStatistics(client)?.CurrentAvailablePermits == 0;

    /// <summary>Spends one of the client's failures.</summary>
    public void RecordFailure(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        _failures.AddOrUpdate(client, 1, (_, n) => n + 1);
    }

    public void RecordRefused(string client)
    {
        Interlocked.Increment(ref _refused);
        _failures.AddOrUpdate(client, 1, (_, n) => n + 1);
    }

    /// <summary>Takes the counts gathered since the last call: (failures and refusals, clients, refusals, the busiest client).</summary>
    public (int Attempts, int Clients, int Refused, string? TopClient, int TopCount) Drain()
    {
        var failures = Interlocked.Exchange(ref _failures, new ConcurrentDictionary<string, int>());
        var refused = Interlocked.Exchange(ref _refused, 0);
        var top = failures.OrderByDescending(f => f.Value).FirstOrDefault();
        return (failures.Values.Sum(), failures.Count, refused, top.Key, top.Value);
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Writes the failed-key counts once a minute when there were any.</summary>
internal sealed class FailedKeyAttemptsLog(FailedKeyAttempts attempts, TimeProvider clock, ILogger<FailedKeyAttempts> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                WriteSummary();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    internal void WriteSummary()
    {
        var (total, clients, refused, top, topCount) = attempts.Drain();
        if (total > 0)
        {
            logger.LogWarning("API keys: {Attempts} failed attempts from {Clients} clients in the last minute ({Refused} refused by the rate limit); most from {TopClient} ({TopCount})",
                total, clients, refused, top, topCount);
        }
    }
}
