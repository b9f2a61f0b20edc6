using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Audit;

/// <param name="Count">Events verified before the first break (all of them when the chain holds).</param>
/// <param name="FirstBrokenSequence">The first sequence that is missing, out of order, relinked or altered.</param>
/// <param name="Checkpoints">How many signed checkpoints were checked; <paramref name="LatestCheckpoint"/> is the newest sequence they vouch for.</param>
/// <param name="Problems">Every finding in words: broken links, checkpoints the chain no longer reaches, altered attestations.</param>
public sealed record AuditVerification(bool Ok, long Count, long? FirstBrokenSequence, int Checkpoints, long? LatestCheckpoint, IReadOnlyList<string> Problems);

/// <summary>
/// Checks the whole record: the chain's links and hashes, every signed checkpoint against the chain (so deleting the newest
/// events, or rewriting and re-hashing them, fails), and every attestation against its content hash.
/// </summary>
public sealed class AuditVerifier(ComplianceDbContext db, AuditCheckpoints checkpoints, AuditSigner signer)
{
    private const int BatchSize = 5_000;

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var (known, problems) = await checkpoints.AllAsync(cancellationToken);
        var signed = new List<CheckpointLine>();
        foreach (var checkpoint in known)
        {
            if (checkpoint.KeyId != signer.KeyId)
            {
                problems.Add($"The checkpoint at event {checkpoint.Sequence} was signed by another key ({checkpoint.KeyId}); it cannot be checked with this host's key.");
            }
            else if (!signer.Verify(checkpoint.SignedBytes(), checkpoint.Signature))
            {
                problems.Add($"The checkpoint at event {checkpoint.Sequence} has an invalid signature: it was forged or edited.");
            }
            else
            {
                signed.Add(checkpoint);
            }
        }

        var expected = signed.ToLookup(c => c.Sequence, c => c.Hash);
        var (count, firstBroken) = (0L, (long?)null);
        var previousHash = "";
        var done = false;
        while (!done)
        {
            var batch = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence > count).OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
            foreach (var e in batch)
            {
                if (e.Sequence != count + 1 || e.PreviousHash != previousHash || e.ComputeHash() != e.Hash)
                {
                    firstBroken = count + 1;
                    problems.Add(e.Sequence != count + 1 ? $"Event {count + 1} is missing: events were deleted." : $"Event {e.Sequence} does not match its hash or link: it was altered.");
                    done = true;
                    break;
                }

                if (expected[e.Sequence].Any(h => h != e.Hash))
                {
                    problems.Add($"Event {e.Sequence} is not the event the checkpoint signed: events were rewritten and re-hashed.");
                    firstBroken ??= e.Sequence;
                }

                previousHash = e.Hash;
                count++;
            }

            done |= batch.Count < BatchSize;
        }

        if (signed.Count > 0 && signed.Max(c => c.Sequence) is var latest && latest > count && firstBroken is null)
        {
            firstBroken = count + 1;
            problems.Add($"A signed checkpoint vouches for {latest} events but the chain ends at {count}: the newest events were deleted.");
        }

        await foreach (var a in db.Attestations.AsNoTracking().Include(a => a.Task).Include(a => a.AttestedBy).OrderBy(a => a.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!a.HashMatches(a.Task!.ControlId, a.Task.Period, a.AttestedBy?.Email ?? ""))
            {
                problems.Add($"Attestation {a.Id} no longer matches its content hash: the record was changed.");
            }
        }

        return new AuditVerification(problems.Count == 0, count, firstBroken, signed.Count, signed.Count == 0 ? null : signed.Max(c => c.Sequence), problems);
    }
}
