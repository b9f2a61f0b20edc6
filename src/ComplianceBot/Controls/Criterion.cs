using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Controls;

/// <summary>A Trust Services Criterion (e.g. CC6.1), loaded from knowledge/criteria/.</summary>
public sealed class Criterion
{
    public required string Id { get; init; }
    public required string Title { get; set; }
    public required string Category { get; set; }
    public string? Series { get; set; }
    public required string SourcePath { get; set; }
}

internal sealed class CriterionConfiguration : IEntityTypeConfiguration<Criterion>
{
    public void Configure(EntityTypeBuilder<Criterion> builder)
    {
        builder.Property(c => c.Id).HasMaxLength(16);
        builder.Property(c => c.Title).HasMaxLength(300);
        builder.Property(c => c.Category).HasMaxLength(64);
        builder.Property(c => c.Series).HasMaxLength(200);
        builder.Property(c => c.SourcePath).HasMaxLength(300);
    }
}
