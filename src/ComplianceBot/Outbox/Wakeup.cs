using System.Threading.Channels;

namespace ComplianceBot.Outbox;

/// <summary>
/// Wakes a polling background worker as soon as there is new work, instead of at its next poll. One per worker type
/// (<c>Wakeup&lt;OutboxWorker&gt;</c>, <c>Wakeup&lt;SlackInboxProcessor&gt;</c>); the poll stays, since other hosts write rows too.
/// </summary>
public sealed class Wakeup<TWorker>
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _signal.Writer.TryWrite(true);

    /// <summary>Returns when notified or after <paramref name="timeout"/> on <paramref name="clock"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, clock, timeoutSource.Token);
        var read = _signal.Reader.WaitToReadAsync(timeoutSource.Token).AsTask();
        await Task.WhenAny(delay, read);
        await timeoutSource.CancelAsync();
        await Task.WhenAll(delay, read).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        _signal.Reader.TryRead(out _);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
