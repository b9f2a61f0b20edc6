using System.Globalization;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.ChangeApprovals;

/// <summary>
/// The ladder's messages for "change:&lt;id&gt;": a reminder card (with buttons) to an approver who has not decided, and for
/// an emergency change that missed its after-the-fact approval, an escalation to the manager's manager and the compliance channel.
/// </summary>
public sealed class ChangeReminderSubject(ChangeApprovalService service, ComplianceDbContext db, ProgramProfileHolder profile) : IReminderSubject
{
    public const string Prefix = "change:";
    public const string EscalationStep = "escalation-manager";
    public const string ChannelStep = "escalation-channel";

    public static string ApproverStep(int personId) => "approver-" + personId.ToString(CultureInfo.InvariantCulture);

    public bool Handles(string subject) => subject.StartsWith(Prefix, StringComparison.Ordinal);

    public async Task<ReminderMessage?> ComposeAsync(Reminder reminder, CancellationToken cancellationToken)
    {
        if (!int.TryParse(reminder.Subject.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ||
            await service.LoadAsync(id, cancellationToken) is not { } change)
        {
            return null;
        }

        if (reminder.Audience == ReminderAudience.Owner)
        {
            // Decided, or this approver already answered: nothing to remind about.
            if (!change.IsPending || reminder.RecipientId is not { } approverId || change.DecisionBy(approverId) is not null ||
                change.IsConflicted(approverId) || change.ApproverFor(approverId)?.Person is not { IsActive: true } approver)
            {
                return null;
            }

            var deadline = change.ApprovedAfterTheFact
                ? $"It was an emergency change that went ahead; it must be approved after the fact by {ChangeCards.When(change.ExpiresAt)}."
                : $"It expires on {ChangeCards.When(change.ExpiresAt)}.";
            return new ReminderMessage(approver, null, ChangeCards.For(change, approver, $"⏰ Reminder: change #{change.Id} still needs your decision. {deadline}"));
        }

        // Escalations exist only for emergency changes, and only matter while no approval arrived.
        if (!change.ApprovedAfterTheFact || change.Status is not (ChangeStatus.Pending or ChangeStatus.Expired))
        {
            return null;
        }

        var lead = $"⚠️ Emergency change #{change.Id} to {change.System} went ahead on {ChangeCards.When(change.CreatedAt)} and has not been approved after the fact " +
                   $"by {ChangeCards.When(change.ExpiresAt)}. Requester: {change.Requester!.Name}; approver(s) asked: {string.Join(", ", change.Approvers.Select(a => a.Person!.Name))}.";
        if (reminder.Audience == ReminderAudience.Channel)
        {
            return new ReminderMessage(null, profile.Current.ComplianceChannel, ChangeCards.For(change, null, lead) with { Refresh = null });
        }

        var recipient = reminder.RecipientId is { } recipientId ? await db.People.SingleOrDefaultAsync(p => p.Id == recipientId, cancellationToken) : null;
        return recipient is { IsActive: true }
            ? new ReminderMessage(recipient, null, ChangeCards.For(change, recipient, lead + " You are the manager of the approver, so I'm letting you know.") with { Refresh = null })
            : null;
    }
}
