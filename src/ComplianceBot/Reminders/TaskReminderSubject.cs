using System.Globalization;
using ComplianceBot.Attestations;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Evidence;
using ComplianceBot.Help;
using ComplianceBot.Knowledge;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Reminders;

/// <summary>Reminders about control tasks ("task:42") and expiring evidence ("evidence:7"): why me, why now, and what to press.</summary>
public sealed class TaskReminderSubject(ComplianceDbContext db, ReminderLadder ladder, ProgramProfileHolder profile, TimeProvider clock) : IReminderSubject
{
    public bool Handles(string subject) => subject.StartsWith("task:", StringComparison.Ordinal) || subject.StartsWith("evidence:", StringComparison.Ordinal);

    public async Task<ReminderMessage?> ComposeAsync(Reminder reminder, CancellationToken cancellationToken)
    {
        if (reminder.Subject.StartsWith("evidence:", StringComparison.Ordinal))
        {
            return await RefreshAsync(reminder, cancellationToken);
        }

        var task = await db.ControlTasks.AsNoTracking().Include(t => t.Control).Include(t => t.Assignee).ThenInclude(p => p!.Manager)
            .SingleOrDefaultAsync(t => t.Id == reminder.TaskId, cancellationToken);
        if (task is not { IsOpen: true, Control: { } control, Assignee: { } owner })
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var today = WorkingCalendar.LocalDate(owner, now);
        var overdue = ladder.BusinessDaysOverdue(owner, task.DueDate, today);
        var title = $"{control.Id} {control.Title} — {task.Period}";
        switch (reminder.Audience)
        {
            case ReminderAudience.Manager:
                return owner.Manager is { IsActive: true } manager
                    ? new ReminderMessage(manager, null, new Reply(
                        $"{owner.Name} has not yet completed {control.Id} for {task.Period}, which was due {task.DueDate:d MMM yyyy} and is now {overdue} business day(s) overdue. " +
                        $"You are their manager in the directory, so I'm letting you know; a Type 2 audit samples every occurrence, so a missed one becomes a finding.")
                    {
                        Title = $"Escalation: {title}",
                        Fields = [new("Owner", owner.Name), new("Criteria", string.Join(", ", control.Criteria)), new("Due", task.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture))],
                        Actions = [HelpFlow.AskButton],
                    })
                    : null;
            case ReminderAudience.Channel:
                return new ReminderMessage(null, profile.Current.ComplianceChannel, new Reply(
                    $"{control.Id} for {task.Period} is {overdue} business day(s) overdue. Owner: {owner.Name}" +
                    (owner.Manager is { } m ? $", manager: {m.Name} (already told)." : "."))
                {
                    Title = $"Overdue control: {title}",
                    Fields = [new("Owner", owner.Email), new("Criteria", string.Join(", ", control.Criteria)), new("Due", task.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture))],
                });
        }

        var lastEvidence = await db.EvidenceItems.AsNoTracking().Where(e => e.Task!.ControlId == control.Id)
            .OrderByDescending(e => e.UploadedAt).Select(e => new { e.FileName, e.UploadedAt }).FirstOrDefaultAsync(cancellationToken);
        var evidenceText = lastEvidence is null
            ? "none on file yet"
            : $"{lastEvidence.FileName}, uploaded {lastEvidence.UploadedAt:d MMM yyyy} ({(int)(now - lastEvidence.UploadedAt).TotalDays} days ago)";
        var whyNow = overdue > 0
            ? $"It is {overdue} business day(s) overdue." + (overdue < ladder.Options.EscalateToManagerAfterBusinessDays && owner.Manager is not null
                ? $" After {ladder.Options.EscalateToManagerAfterBusinessDays} business days I let your manager know."
                : "")
            : $"It is {MyTasksFlow.DueText(task, today)}.";
        return new ReminderMessage(owner, null, new Reply(
            $"You own {control.Id} ({control.Title}), so this occurrence ({task.Period}) is yours to confirm. {whyNow}")
        {
            Title = overdue > 0 ? $"Overdue: {title}" : $"Reminder: {title}",
            Fields =
            [
                new("Control", $"{control.Id} {control.Title}"),
                new("Criteria", string.Join(", ", control.Criteria)),
                new("What is required", control.EvidenceRequirements.Count == 0 ? control.Description : string.Join("; ", control.EvidenceRequirements)),
                new("Due", task.DueDate.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)),
                new("Last evidence", evidenceText),
            ],
            Actions = Buttons(task),
        });
    }

    /// <summary>The buttons on every owner reminder.</summary>
    public static IReadOnlyList<ReplyAction> Buttons(ControlTask task) =>
    [
        AttestationFlow.Button(task),
        EvidenceFlow.Button(task),
        new(ReminderFlow.SnoozeAction, "Snooze 1 day", MyTasksFlow.Data(("task", task.Id), ("until", "1d"))),
        new(ReminderFlow.SnoozeAction, "Snooze until Monday", MyTasksFlow.Data(("task", task.Id), ("until", "monday"))),
        new(ReminderFlow.NotMineAction, "Not mine", MyTasksFlow.Data(("task", task.Id))),
        HelpFlow.AskButton,
    ];

    private async Task<ReminderMessage?> RefreshAsync(Reminder reminder, CancellationToken cancellationToken)
    {
        var id = int.Parse(reminder.Subject["evidence:".Length..], CultureInfo.InvariantCulture);
        var item = await db.EvidenceItems.AsNoTracking().Include(e => e.Task).ThenInclude(t => t!.Control).SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        var recipient = reminder.RecipientId is { } rid ? await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == rid, cancellationToken) : null;
        if (item?.Task?.Control is not { } control || recipient is not { IsActive: true })
        {
            return null;
        }

        var openTask = await db.ControlTasks.AsNoTracking().Where(t => t.ControlId == control.Id && t.Status == ControlTaskStatus.Open)
            .OrderBy(t => t.DueDate).FirstOrDefaultAsync(cancellationToken);
        return new ReminderMessage(recipient, null, new Reply(
            $"The evidence \"{item.FileName}\" for {control.Id} {control.Title} expires on {item.ExpiresOn:d MMM yyyy}. Please upload a current version so the control stays covered.")
        {
            Title = $"Evidence expiring: {control.Id}",
            Fields = [new("Uploaded", item.UploadedAt.ToString("d MMM yyyy", CultureInfo.InvariantCulture)), new("SHA-256", item.Sha256)],
            Actions = openTask is null ? [HelpFlow.AskButton] : [EvidenceFlow.Button(openTask), HelpFlow.AskButton],
        });
    }
}
