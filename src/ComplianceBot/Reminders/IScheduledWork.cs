namespace ComplianceBot.Reminders;

/// <summary>
/// Work the scheduler does on every pass of the <see cref="ReminderSweep"/>, after the reminders are planned and before
/// the outbox is dispatched, so what it writes goes out in the same pass (the weekly digest). Must be cheap when idle.
/// </summary>
public interface IScheduledWork
{
    Task RunAsync(CancellationToken cancellationToken);
}
