using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ComplianceBot.Operations;

/// <summary>
/// The bot's own instruments (meter and activity source "ComplianceBot"), in one place so dashboards have one list:
/// turns per channel and intent, Slack acknowledgements, delivery failures, reminder lag, and the depth and age of
/// what waits to be sent (sampled by <see cref="OutboxSampler"/> from the registered <see cref="IOutboxProbe"/>).
/// </summary>
public sealed class ComplianceMetrics
{
    public const string Name = "ComplianceBot";

    /// <summary>Spans for a chat turn and a delivery; exported only when OTLP is configured.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _turns;
    private readonly Counter<long> _slackAcks;
    private readonly Counter<long> _deliveryFailures;
    private readonly Histogram<double> _reminderLag;
    private OutboxSnapshot _outbox = new(0, TimeSpan.Zero);

    public ComplianceMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _turns = meter.CreateCounter<long>("compliancebot.turns", "{turn}", "Chat turns processed, by channel, intent and outcome");
        _slackAcks = meter.CreateCounter<long>("compliancebot.slack.acks", "{event}", "Slack events acknowledged after being stored (duplicate=true: already stored)");
        _deliveryFailures = meter.CreateCounter<long>("compliancebot.delivery.failures", "{attempt}", "Outbound messages whose delivery attempt failed, by channel and kind");
        _reminderLag = meter.CreateHistogram<double>("compliancebot.reminders.lag", "s", "Time from a reminder's due moment to its sending");
        meter.CreateObservableGauge("compliancebot.outbox.depth", () => _outbox.Depth, "{message}", "Messages due and not yet sent");
        meter.CreateObservableGauge("compliancebot.outbox.age", () => _outbox.OldestAge.TotalSeconds, "s", "How long the oldest due message has waited");
    }

    /// <summary>One chat turn. <paramref name="intent"/> is the classifier's label where there is one (null: a button or form).</summary>
    public void TurnProcessed(string channel, string? intent, bool failed) =>
        _turns.Add(1, new("channel", channel), new("intent", intent ?? "none"), new("outcome", failed ? "error" : "ok"));

    public void SlackEventAcknowledged(bool duplicate) => _slackAcks.Add(1, new KeyValuePair<string, object?>("duplicate", duplicate));

    public void DeliveryFailed(string channel, string kind) => _deliveryFailures.Add(1, new("channel", channel), new("kind", kind));

    public void ReminderSent(TimeSpan lag) => _reminderLag.Record(Math.Max(0, lag.TotalSeconds));

    public void ReportOutbox(OutboxSnapshot snapshot) => _outbox = snapshot;
}
