using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Audit;

/// <summary>
/// A signed statement "the chain had <see cref="Sequence"/> events ending in <see cref="Hash"/> at <see cref="CreatedAt"/>".
/// Kept in the database, appended to checkpoints.jsonl in the data folder, posted to the compliance channel and written
/// into every export, so deleting the newest events (or rewriting and re-hashing them) no longer verifies.
/// </summary>
public sealed class AuditCheckpoint
{
    public long Id { get; private set; }
    public long Sequence { get; init; }
    public required string Hash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>SHA-256 of the signing key's SubjectPublicKeyInfo (hex), so a verifier knows which key signed.</summary>
    public required string KeyId { get; init; }

    /// <summary>ECDSA P-256 / SHA-256 over the signed text (SignedText), r‖s (64 bytes), lower-case hex.</summary>
    public required string Signature { get; init; }

    public string SignedText() => SignedText(Sequence, Hash, CreatedAt);

    /// <summary>The exact UTF-8 bytes that are signed (documented in VERIFY.md).</summary>
    public static string SignedText(long sequence, string hash, DateTimeOffset createdAt) =>
        string.Create(CultureInfo.InvariantCulture, $"compliancebot-audit-checkpoint-v1\n{sequence}\n{hash}\n{AuditEvent.FormatTimestamp(createdAt)}\n");

    public static byte[] SignedBytes(long sequence, string hash, DateTimeOffset createdAt) => Encoding.UTF8.GetBytes(SignedText(sequence, hash, createdAt));
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.HasIndex(c => c.Sequence);
        builder.Property(c => c.Hash).HasMaxLength(64);
        builder.Property(c => c.KeyId).HasMaxLength(64);
        builder.Property(c => c.Signature).HasMaxLength(128);
    }
}
