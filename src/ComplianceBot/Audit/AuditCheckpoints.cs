using ComplianceBot.Data;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Audit;

/// <summary>Signs the chain head into an <see cref="AuditCheckpoint"/>: saved, appended to the checkpoint file and queued for the compliance channel.</summary>
public sealed class AuditCheckpoints(ComplianceDbContext db, AuditSigner signer, CheckpointFile file, TimeProvider clock)
{
    public const string SubjectPrefix = "audit-checkpoint:";

    /// <summary>A checkpoint of the current head (the latest one when the head has not moved since); null when the chain is empty.</summary>
    public async Task<AuditCheckpoint?> CreateAsync(CancellationToken cancellationToken)
    {
        var head = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken);
        if (head is null)
        {
            return null;
        }

        var latest = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Sequence).ThenByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        if (latest is not null && latest.Sequence == head.Sequence && latest.Hash == head.Hash && latest.KeyId == signer.KeyId)
        {
            return latest;
        }

        var now = clock.GetUtcNow().ToStoredPrecision(); // signed: the signature must verify over the time as stored
        var checkpoint = new AuditCheckpoint
        {
            Sequence = head.Sequence,
            Hash = head.Hash,
            CreatedAt = now,
            KeyId = signer.KeyId,
            Signature = signer.Sign(AuditCheckpoint.SignedBytes(head.Sequence, head.Hash, now)),
        };
        db.AuditCheckpoints.Add(checkpoint);
        db.Reminders.Add(new Reminder { Subject = SubjectPrefix + head.Sequence, Step = "posted", Audience = ReminderAudience.Channel, DueAt = now, CreatedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Another host signed the same head at the same moment (the reminder is unique per subject): its checkpoint stands.
            db.ChangeTracker.Clear();
            return await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Sequence).ThenByDescending(c => c.Id).FirstAsync(cancellationToken);
        }

        file.Append(CheckpointLine.From(checkpoint));
        return checkpoint;
    }

    /// <summary>Every checkpoint known to the database or the checkpoint file, oldest first, without duplicates.</summary>
    public async Task<(List<CheckpointLine> Checkpoints, List<string> Problems)> AllAsync(CancellationToken cancellationToken)
    {
        var stored = await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Sequence).ThenBy(c => c.Id).ToListAsync(cancellationToken);
        var (fromFile, problems) = file.ReadAll();
        var all = stored.Select(CheckpointLine.From).Concat(fromFile)
            .DistinctBy(c => c.Signature).OrderBy(c => c.Sequence).ThenBy(c => c.CreatedAt, StringComparer.Ordinal).ToList();
        var missing = fromFile.Count(f => !stored.Any(s => s.Signature == f.Signature));
        if (missing > 0)
        {
            problems.Add($"{missing} checkpoint(s) in {Path.GetFileName(file.Path)} are no longer in the database: checkpoints were deleted there.");
        }

        return (all, problems);
    }
}
