using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.People;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Evidence;

/// <summary>A file attached to a task. Written once; the bytes live in the <see cref="IEvidenceStore"/> under their SHA-256.</summary>
public sealed class EvidenceItem : IImmutableRecord
{
    public int Id { get; private set; }
    public int TaskId { get; init; }
    public ControlTask? Task { get; init; }
    public int UploadedById { get; init; }
    public Person? UploadedBy { get; init; }
    public DateTimeOffset UploadedAt { get; init; }
    public ChannelKind Channel { get; init; }
    public required string FileName { get; init; }
    public string? ContentType { get; init; }
    public long Length { get; init; }

    /// <summary>Lower-case hex SHA-256 of the content, computed while it was received; also the storage key.</summary>
    public required string Sha256 { get; init; }

    /// <summary>When the evidence stops being current (a certificate, a policy review); a refresh reminder goes out before.</summary>
    public DateOnly? ExpiresOn { get; init; }
}

internal sealed class EvidenceItemConfiguration : IEntityTypeConfiguration<EvidenceItem>
{
    public void Configure(EntityTypeBuilder<EvidenceItem> builder)
    {
        // The same file twice for one task is one piece of evidence.
        builder.HasIndex(e => new { e.TaskId, e.Sha256 }).IsUnique();
        builder.HasIndex(e => e.ExpiresOn);
        builder.Property(e => e.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.FileName).HasMaxLength(255);
        builder.Property(e => e.ContentType).HasMaxLength(128);
        builder.Property(e => e.Sha256).HasMaxLength(64);
        builder.HasOne(e => e.Task).WithMany().HasForeignKey(e => e.TaskId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(e => e.UploadedBy).WithMany().HasForeignKey(e => e.UploadedById).OnDelete(DeleteBehavior.Restrict);
    }
}
