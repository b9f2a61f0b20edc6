using System.Globalization;
using System.Reflection;
using ComplianceBot.AccessReviews;
using ComplianceBot.Audit;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Export;

/// <summary>
/// Last part of every export: evidence-problems.csv, then the export.generated event (saved, so it is inside), a signed
/// checkpoint of the chain head, the audit files up to that checkpoint, the public key, VERIFY.md and verify.py.
/// Events are chosen by the objects of the period (tasks, reviews, changes, this export), whenever they were recorded,
/// plus everything recorded in the period.
/// </summary>
internal sealed class AuditExportContributor(ComplianceDbContext db, AuditTrail audit, AuditCheckpoints checkpoints, AuditSigner signer) : IExportContributor
{
    public static readonly string[] EvidenceProblemsHeader = ["evidence_id", "archive_path", "recorded_sha256", "found_sha256", "problem"];
    public static readonly string[] ChainHeader = ["sequence", "previous_hash", "hash"];
    private const int BatchSize = 5_000;

    public int Order => int.MaxValue;

    public async Task WriteAsync(ExportWriter export, CancellationToken cancellationToken)
    {
        var period = export.Period;
        await export.AddCsvAsync("evidence-problems.csv", EvidenceProblemsHeader, export.EvidenceProblems.ToAsyncEnumerable(), p =>
            [p.EvidenceId.ToString(CultureInfo.InvariantCulture), p.ArchivePath, p.RecordedSha256, p.FoundSha256, p.Problem], cancellationToken);

        audit.Record(export.RequestedBy, "export.generated", $"export:{period.Label}", new()
        {
            ["period"] = period.Label, ["from"] = period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["to"] = period.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["files_before_audit"] = export.Entries.Count.ToString(CultureInfo.InvariantCulture), ["evidence_problems"] = export.EvidenceProblems.Count.ToString(CultureInfo.InvariantCulture),
            ["key_id"] = signer.KeyId,
        });
        await db.SaveChangesAsync(cancellationToken);
        var head = await checkpoints.CreateAsync(cancellationToken) ?? throw new InvalidOperationException("The export.generated event was saved, yet the chain is empty.");

        var selected = await SelectedSequencesAsync(period, head.Sequence, cancellationToken);
        await export.AddJsonLinesAsync("audit/events.jsonl", Events(head.Sequence, e => selected.Contains(e.Sequence), cancellationToken), cancellationToken);
        await export.AddCsvAsync("audit/chain.csv", ChainHeader, Events(head.Sequence, _ => true, cancellationToken),
            e => [e.Sequence.ToString(CultureInfo.InvariantCulture), e.PreviousHash, e.Hash], cancellationToken);
        var (known, _) = await checkpoints.AllAsync(cancellationToken);
        await export.AddJsonLinesAsync("audit/checkpoints.jsonl", known.Where(c => c.Sequence <= head.Sequence).ToAsyncEnumerable(), cancellationToken);

        await export.AddTextAsync("signing-key.pem", signer.PublicKeyPem, cancellationToken);
        await export.AddTextAsync("VERIFY.md", Resource("VERIFY.md"), cancellationToken);
        await export.AddTextAsync("verify.py", Resource("verify.py"), cancellationToken);
    }

    /// <summary>One audit event as exported; <see cref="Timestamp"/> and <see cref="Data"/> are the exact texts the hash covers.</summary>
    public sealed record AuditLine(long Sequence, string Timestamp, string Actor, string Action, string Subject, string Data, string PreviousHash, string Hash);

    private async Task<HashSet<long>> SelectedSequencesAsync(ExportPeriod period, long head, CancellationToken cancellationToken)
    {
        var (startUtc, endUtc, start, end) = (period.StartUtc, period.EndUtcExclusive, period.Start, period.End);
        var selected = (await db.AuditEvents.AsNoTracking().Where(e => e.Sequence <= head && e.Timestamp >= startUtc && e.Timestamp < endUtc)
            .Select(e => e.Sequence).ToListAsync(cancellationToken)).ToHashSet();

        var tasks = await db.ControlTasks.AsNoTracking().Where(t => t.PeriodEnd >= start && t.PeriodEnd <= end)
            .Select(t => new { t.Id, t.ControlId, t.Period }).ToListAsync(cancellationToken);
        var reviews = (await db.AccessReviews.AsNoTracking().Select(r => new { r.SystemName, r.Period }).ToListAsync(cancellationToken))
            .Where(r => AccessReviewImporter.QuarterEnd(r.Period) is var quarterEnd && quarterEnd >= start && quarterEnd <= end);
        var changes = await db.ChangeRequests.AsNoTracking().Where(c => c.CreatedAt >= startUtc && c.CreatedAt < endUtc).Select(c => c.Id).ToListAsync(cancellationToken);
        List<string> subjects =
        [
            $"export:{period.Label}",
            .. tasks.SelectMany(t => new[] { $"task:{t.Id}", $"task:{t.ControlId}/{t.Period}" }),
            .. reviews.Select(r => $"access-review:{r.SystemName}/{r.Period}"),
            .. changes.Select(id => $"change:{id}"),
        ];
        foreach (var batch in subjects.Chunk(500))
        {
            selected.UnionWith(await db.AuditEvents.AsNoTracking().Where(e => e.Sequence <= head && batch.Contains(e.Subject)).Select(e => e.Sequence).ToListAsync(cancellationToken));
        }

        return selected;
    }

    /// <summary>Events 1..head in order, read in batches (the whole chain never sits in memory).</summary>
    private async IAsyncEnumerable<AuditLine> Events(long head, Func<AuditLine, bool> include, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = 0L;
        while (after < head)
        {
            var batch = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence > after && e.Sequence <= head).OrderBy(e => e.Sequence).Take(BatchSize)
                .Select(e => new { e.Sequence, e.Timestamp, e.Actor, e.Action, e.Subject, e.Data, e.PreviousHash, e.Hash }).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                yield break;
            }

            foreach (var e in batch)
            {
                var line = new AuditLine(e.Sequence, AuditEvent.FormatTimestamp(e.Timestamp), e.Actor, e.Action, e.Subject, e.Data, e.PreviousHash, e.Hash);
                if (include(line))
                {
                    yield return line;
                }
            }

            after = batch[^1].Sequence;
        }
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"ComplianceBot.Export.Verification.{name}")
            ?? throw new InvalidOperationException($"The {name} resource is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
