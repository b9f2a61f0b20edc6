using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.AccessReviews.Identities;

/// <summary>
/// "This account is Priya": an account of a system that belongs to a directory person although nothing in the export
/// says so (an IAM user "pvogel"). Remembered for every later review of the system.
/// </summary>
public sealed class AccountAlias
{
    public int Id { get; private set; }
    public required string SystemName { get; init; }
    public required string AccountId { get; init; }
    public int PersonId { get; set; }
    public Person? Person { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class AccountAliasConfiguration : IEntityTypeConfiguration<AccountAlias>
{
    public void Configure(EntityTypeBuilder<AccountAlias> builder)
    {
        builder.HasIndex(a => new { a.SystemName, a.AccountId }).IsUnique();
        builder.Property(a => a.SystemName).HasMaxLength(200);
        builder.Property(a => a.AccountId).HasMaxLength(256);
        builder.Property(a => a.CreatedBy).HasMaxLength(256);
        builder.HasOne(a => a.Person).WithMany().HasForeignKey(a => a.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
