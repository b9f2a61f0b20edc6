using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.AccessReviews.Identities;

/// <summary>
/// A remembered mark on an account of a system (service account, external, shared, not a person) with the person who
/// owns it, so later reviews neither flag it "unmatched" nor lose who answers for it.
/// </summary>
public sealed class AccountMark
{
    public int Id { get; private set; }
    public required string SystemName { get; init; }
    public required string AccountId { get; init; }
    public AccountMarkKind Kind { get; set; }
    public int OwnerId { get; set; }
    public Person? Owner { get; set; }
    public string? Note { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class AccountMarkConfiguration : IEntityTypeConfiguration<AccountMark>
{
    public void Configure(EntityTypeBuilder<AccountMark> builder)
    {
        builder.HasIndex(m => new { m.SystemName, m.AccountId }).IsUnique();
        builder.Property(m => m.SystemName).HasMaxLength(200);
        builder.Property(m => m.AccountId).HasMaxLength(256);
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Note).HasMaxLength(500);
        builder.Property(m => m.CreatedBy).HasMaxLength(256);
        builder.HasOne(m => m.Owner).WithMany().HasForeignKey(m => m.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}
