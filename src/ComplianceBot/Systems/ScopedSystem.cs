using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Systems;

/// <summary>A system inside or outside the SOC 2 boundary (knowledge/program/systems.yaml).</summary>
public sealed class ScopedSystem
{
    public required string Name { get; init; }
    public List<string> Aliases { get; set; } = [];
    public bool InScope { get; set; }
    public string? Description { get; set; }
    public int? OwnerId { get; set; }
    public Person? Owner { get; set; }

    /// <summary>Who carries out access changes (revocations) in the system.</summary>
    public int? AdminId { get; set; }
    public Person? Admin { get; set; }

    public bool Matches(string nameOrAlias) =>
        string.Equals(Name, nameOrAlias, StringComparison.OrdinalIgnoreCase) ||
        Aliases.Any(a => string.Equals(a, nameOrAlias, StringComparison.OrdinalIgnoreCase));
}

internal sealed class ScopedSystemConfiguration : IEntityTypeConfiguration<ScopedSystem>
{
    public void Configure(EntityTypeBuilder<ScopedSystem> builder)
    {
        builder.HasKey(s => s.Name);
        builder.Property(s => s.Name).HasMaxLength(200);
        builder.HasOne(s => s.Owner).WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(s => s.Admin).WithMany().HasForeignKey(s => s.AdminId).OnDelete(DeleteBehavior.Restrict);
    }
}
