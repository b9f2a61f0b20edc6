using System.Globalization;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Audit;

/// <summary>Posts each checkpoint to the compliance channel, a copy outside the database that an auditor can compare with.</summary>
internal sealed class AuditCheckpointMessage(ComplianceDbContext db, ProgramProfileHolder profile) : IReminderSubject
{
    public bool Handles(string subject) => subject.StartsWith(AuditCheckpoints.SubjectPrefix, StringComparison.Ordinal);

    public async Task<ReminderMessage?> ComposeAsync(Reminder reminder, CancellationToken cancellationToken)
    {
        var sequence = long.Parse(reminder.Subject[AuditCheckpoints.SubjectPrefix.Length..], CultureInfo.InvariantCulture);
        var checkpoint = await db.AuditCheckpoints.AsNoTracking().Where(c => c.Sequence == sequence).OrderBy(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        return checkpoint is null ? null : new ReminderMessage(null, profile.Current.ComplianceChannel, new Reply(
            $"Audit trail checkpoint: {checkpoint.Sequence} events, head {checkpoint.Hash}. Keep this message: if later events are deleted or rewritten, verification against it fails.")
        {
            Title = "Audit checkpoint",
            Fields =
            [
                new("Events", checkpoint.Sequence.ToString(CultureInfo.InvariantCulture)), new("Head hash", checkpoint.Hash),
                new("Signed at", AuditEvent.FormatTimestamp(checkpoint.CreatedAt)), new("Key id", checkpoint.KeyId), new("Signature", checkpoint.Signature),
            ],
        });
    }
}
