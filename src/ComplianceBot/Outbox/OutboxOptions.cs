namespace ComplianceBot.Outbox;

/// <summary>Delivery policy for everything in the outbox (section "Outbox"): one lease, one retry/backoff rule, one parking rule.</summary>
public sealed class OutboxOptions
{
    /// <summary>Runs the background dispatcher; tests turn it off and deliver with <see cref="OutboxDispatcher"/> directly.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the dispatcher looks for due rows when nothing woke it (retries, rows written by other hosts).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry; doubled after every further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a claimed row stays reserved for the host that claimed it (a dead host's claim runs out).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an update waits before looking again when the message it replaces is not delivered yet.</summary>
    public TimeSpan UpdateWait { get; set; } = TimeSpan.FromSeconds(10);

    public int BatchSize { get; set; } = 200;

    /// <summary>Delivered and superseded rows are deleted after this long (parked and unconfirmed ones stay until handled).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan RetryDelayAfter(int attempts)
    {
        var delay = RetryDelay * Math.Pow(2, Math.Max(0, attempts - 1));
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }
}
