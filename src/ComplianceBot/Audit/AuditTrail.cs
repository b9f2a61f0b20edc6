using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Audit;

/// <summary>Adds audit events to the current unit of work; they are chained and saved with the change they describe.</summary>
public sealed class AuditTrail(ComplianceDbContext db, TimeProvider clock)
{
    public void Record(string actor, string action, string subject, Dictionary<string, string?>? data = null) =>
        db.AuditEvents.Add(new AuditEvent
        {
            Timestamp = clock.GetUtcNow(),
            Actor = actor,
            Action = action,
            Subject = subject,
            Data = AuditEvent.CanonicalJson(data ?? []),
        });

    /// <summary>Walks the chain in order and returns the first sequence whose link or hash does not hold, or null when intact.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        const int batchSize = 5_000;
        var expectedSequence = 1L;
        var previousHash = "";
        while (true)
        {
            var batch = await db.AuditEvents.AsNoTracking()
                .Where(e => e.Sequence >= expectedSequence)
                .OrderBy(e => e.Sequence)
                .Take(batchSize)
                .ToListAsync(cancellationToken);
            foreach (var e in batch)
            {
                if (e.Sequence != expectedSequence || e.PreviousHash != previousHash || e.ComputeHash() != e.Hash)
                {
                    return new AuditVerification(false, expectedSequence - 1, expectedSequence);
                }

                previousHash = e.Hash;
                expectedSequence++;
            }

            if (batch.Count < batchSize)
            {
                return new AuditVerification(true, expectedSequence - 1, null);
            }
        }
    }
}

/// <param name="Count">How many events were verified before the first break (all of them when ok).</param>
/// <param name="FirstBrokenSequence">The first sequence number that is missing, out of order, relinked or altered.</param>
public sealed record AuditVerification(bool Ok, long Count, long? FirstBrokenSequence);
