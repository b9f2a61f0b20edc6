using System.Globalization;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Attestations;

public enum AttestationOutcome
{
    Performed,
    PerformedWithExceptions,
    NotPerformed,
}

/// <summary>
/// A control owner's signed statement about one task. Written once: a correction is a new attestation that
/// supersedes this one (see <see cref="SupersedesId"/>); <see cref="ContentHash"/> lets an auditor check the row.
/// </summary>
public sealed class Attestation : IImmutableRecord
{
    public int Id { get; private set; }
    public int TaskId { get; init; }
    public ControlTask? Task { get; init; }
    public int AttestedById { get; init; }
    public Person? AttestedBy { get; init; }
    public DateTimeOffset AttestedAt { get; init; }
    public ChannelKind Channel { get; init; }

    /// <summary>The chat message the attestation was made from ("Slack:D123:1700000000.1"), when there was one.</summary>
    public string? MessageReference { get; init; }

    /// <summary>The exact statement text the person confirmed.</summary>
    public required string Statement { get; init; }
    public AttestationOutcome Outcome { get; init; }
    public string? Notes { get; init; }

    /// <summary>A link or reference to evidence held elsewhere (files dropped in chat are evidence items of the task).</summary>
    public string? EvidenceReference { get; init; }

    /// <summary>The attestation this one corrects, if any. Unique: a record can be superseded only once.</summary>
    public int? SupersedesId { get; init; }
    public required string ContentHash { get; init; }

    public ControlTaskStatus TaskStatus => Outcome switch
    {
        AttestationOutcome.Performed => ControlTaskStatus.Completed,
        AttestationOutcome.PerformedWithExceptions => ControlTaskStatus.CompletedWithExceptions,
        _ => ControlTaskStatus.NotPerformed,
    };

    public static bool NotesRequired(AttestationOutcome outcome) => outcome != AttestationOutcome.Performed;

    /// <summary>Builds a record after checking its own rules (notes for exceptions and not performed).</summary>
    public static Attestation Create(ControlTask task, Person by, DateTimeOffset at, ChannelKind channel, string? messageReference,
        string statement, AttestationOutcome outcome, string? notes, string? evidenceReference, int? supersedesId)
    {
        if (string.IsNullOrWhiteSpace(statement))
        {
            throw new ArgumentException("An attestation needs the statement that was confirmed.", nameof(statement));
        }

        if (NotesRequired(outcome) && string.IsNullOrWhiteSpace(notes))
        {
            throw new ArgumentException("Notes are required when the control was performed with exceptions or not performed.", nameof(notes));
        }

        var normalizedNotes = Normalize(notes);
        var normalizedEvidence = Normalize(evidenceReference);
        at = at.ToStoredPrecision(); // hashed: the record must match its hash after a round trip through PostgreSQL
        return new Attestation
        {
            TaskId = task.Id,
            AttestedById = by.Id,
            AttestedAt = at,
            Channel = channel,
            MessageReference = messageReference,
            Statement = statement.Trim(),
            Outcome = outcome,
            Notes = normalizedNotes,
            EvidenceReference = normalizedEvidence,
            SupersedesId = supersedesId,
            ContentHash = Hash(task.ControlId, task.Period, by.Email, at, channel, messageReference, statement.Trim(), outcome, normalizedNotes, normalizedEvidence, supersedesId),
        };
    }

    /// <summary>
    /// True when this record already states exactly this (outcome, statement, notes, evidence): recording it again, as a
    /// first attestation or as a correction, would add nothing. A redelivered or repeated submission is answered with it.
    /// </summary>
    public bool States(AttestationOutcome outcome, string statement, string? notes, string? evidenceReference) =>
        Outcome == outcome && Statement == statement.Trim() && Notes == Normalize(notes) && EvidenceReference == Normalize(evidenceReference);

    public bool HashMatches(string controlId, string period, string email) =>
        ContentHash == Hash(controlId, period, email, AttestedAt, Channel, MessageReference, Statement, Outcome, Notes, EvidenceReference, SupersedesId);

    private static string? Normalize(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Hash(string controlId, string period, string email, DateTimeOffset at, ChannelKind channel, string? messageReference,
        string statement, AttestationOutcome outcome, string? notes, string? evidence, int? supersedes) =>
        RecordHash.Of(controlId, period, email, at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), channel.ToString(), messageReference ?? "", statement,
            outcome.ToString(), notes ?? "", evidence ?? "", supersedes?.ToString(CultureInfo.InvariantCulture) ?? "");
}

internal sealed class AttestationConfiguration : IEntityTypeConfiguration<Attestation>
{
    public void Configure(EntityTypeBuilder<Attestation> builder)
    {
        builder.HasIndex(a => new { a.TaskId, a.AttestedAt });
        builder.HasIndex(a => a.AttestedAt);
        builder.HasIndex(a => a.SupersedesId).IsUnique();
        // One first attestation per task; every later one supersedes its predecessor (unique above), so the history of a
        // task is one chain and two copies of one submission racing on two hosts cannot both be recorded.
        builder.HasIndex(a => a.TaskId).IsUnique().HasFilter("[SupersedesId] IS NULL");
        builder.Property(a => a.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(32);
        builder.Property(a => a.MessageReference).HasMaxLength(300);
        builder.Property(a => a.EvidenceReference).HasMaxLength(1000);
        builder.Property(a => a.ContentHash).HasMaxLength(64);
        builder.HasOne(a => a.Task).WithMany().HasForeignKey(a => a.TaskId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.AttestedBy).WithMany().HasForeignKey(a => a.AttestedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Attestation>().WithOne().HasForeignKey<Attestation>(a => a.SupersedesId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>A standing delegation: <see cref="DelegateId"/> may attest and upload for tasks assigned to <see cref="PersonId"/>.</summary>
public sealed class Delegation
{
    public int Id { get; private set; }
    public int PersonId { get; init; }
    public Person? Person { get; init; }
    public int DelegateId { get; init; }
    public Person? Delegate { get; init; }
    /// <summary>The last day the delegate may act (inclusive); null: until revoked.</summary>
    public DateOnly? Until { get; private set; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }

    public Delegation(DateOnly? until = null) => Until = until;

    public void EndOn(DateOnly? until) => Until = until;
}

internal sealed class DelegationConfiguration : IEntityTypeConfiguration<Delegation>
{
    public void Configure(EntityTypeBuilder<Delegation> builder)
    {
        builder.HasIndex(d => new { d.PersonId, d.DelegateId }).IsUnique();
        builder.Property(d => d.CreatedBy).HasMaxLength(256);
        builder.HasOne(d => d.Person).WithMany().HasForeignKey(d => d.PersonId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(d => d.Delegate).WithMany().HasForeignKey(d => d.DelegateId).OnDelete(DeleteBehavior.Restrict);
    }
}
