using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Controls;

/// <summary>
/// One version of a control's definition as imported from controls.yaml: who imported it, from which files (their
/// hash), and what changed. Written once per change, so an auditor sees the control's history during the period.
/// </summary>
public sealed class ControlVersion
{
    public int Id { get; private set; }
    public required string ControlId { get; init; }

    /// <summary>1, 2, 3… per control.</summary>
    public int Version { get; init; }
    public DateTimeOffset RecordedAt { get; init; }

    /// <summary>Who ran the import (a person, or the host at startup).</summary>
    public required string Actor { get; init; }

    /// <summary>added, changed, retired, reinstated or renamed.</summary>
    public required string Change { get; init; }

    /// <summary>SHA-256 over the imported files' own hashes (path=hash lines), as in the knowledge.imported audit event.</summary>
    public required string ImportHash { get; init; }

    /// <summary>The definition as canonical JSON (fields in a fixed order).</summary>
    public required string Definition { get; init; }
    public required string DefinitionHash { get; init; }

    public static string DefinitionOf(Control control, string ownerEmail) => JsonSerializer.Serialize(new
    {
        id = control.Id,
        title = control.Title,
        description = control.Description,
        owner = ownerEmail,
        frequency = control.Frequency.ToString().ToLowerInvariant(),
        criteria = control.Criteria,
        system = control.SystemName,
        evidence = control.EvidenceRequirements,
        attestation = control.AttestationTemplate,
        due_days = control.DueDays,
        evidenced_by = control.EvidencedBy,
        renamed_from = control.RenamedFrom,
        retired = control.Retired,
    });

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

internal sealed class ControlVersionConfiguration : IEntityTypeConfiguration<ControlVersion>
{
    public void Configure(EntityTypeBuilder<ControlVersion> builder)
    {
        builder.HasIndex(v => new { v.ControlId, v.Version }).IsUnique();
        builder.Property(v => v.ControlId).HasMaxLength(32);
        builder.Property(v => v.Actor).HasMaxLength(256);
        builder.Property(v => v.Change).HasMaxLength(16);
        builder.Property(v => v.ImportHash).HasMaxLength(64);
        builder.Property(v => v.DefinitionHash).HasMaxLength(64);
    }
}
