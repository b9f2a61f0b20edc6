namespace ComplianceBot.Operations;

/// <summary>How many outbound messages are due and unsent, and how long the oldest has waited.</summary>
public sealed record OutboxSnapshot(long Depth, TimeSpan OldestAge);

/// <summary>Measures what waits to leave the host; the metrics sampler asks it periodically.</summary>
public interface IOutboxProbe
{
    Task<OutboxSnapshot> MeasureAsync(CancellationToken cancellationToken);
}
