using ComplianceBot.Conversations;
using ComplianceBot.People;

namespace ComplianceBot.Reminders;

/// <summary>What to send for a reminder: to a person, or to a shared channel by name.</summary>
public sealed record ReminderMessage(Person? Recipient, string? ChannelName, Reply Reply);

/// <summary>
/// Writes the message for reminders of one kind of subject ("task:", "evidence:"; change approvals add "change:").
/// Returning null means the reminder is no longer needed (the task was done) and it is cancelled unsent.
/// </summary>
public interface IReminderSubject
{
    bool Handles(string subject);

    Task<ReminderMessage?> ComposeAsync(Reminder reminder, CancellationToken cancellationToken);
}
