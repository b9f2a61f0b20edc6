using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Controls;

public enum ControlFrequency
{
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Semiannual,
    Annual,
}

/// <summary>A control of the organisation's program (e.g. AC-01), loaded from knowledge/program/controls.yaml.</summary>
public sealed class Control
{
    public required string Id { get; init; }
    public required string Title { get; set; }
    public required string Description { get; set; }
    public int OwnerId { get; set; }
    public Person? Owner { get; set; }
    public ControlFrequency Frequency { get; set; }
    public List<string> Criteria { get; set; } = [];
    public List<string> EvidenceRequirements { get; set; } = [];
    public required string AttestationTemplate { get; set; }

    /// <summary>The in-scope system the control operates on, by name (systems.yaml), if any.</summary>
    public string? SystemName { get; set; }

    /// <summary>Days after the period ends when the task is due; null means the frequency's default.</summary>
    public int? DueDays { get; set; }

    /// <summary>True once the control is no longer in the program files; its history stays.</summary>
    public bool Retired { get; set; }

    public int EffectiveDueDays => DueDays ?? Frequency switch
    {
        ControlFrequency.Daily => 0,
        ControlFrequency.Weekly => 2,
        ControlFrequency.Monthly => 5,
        _ => 15,
    };

    /// <summary>The attestation statement shown to the owner for a period, with placeholders filled in.</summary>
    public string StatementFor(string period) =>
        AttestationTemplate.Replace("{period}", period, StringComparison.Ordinal).Replace("{control}", $"{Id} {Title}", StringComparison.Ordinal);
}

internal sealed class ControlConfiguration : IEntityTypeConfiguration<Control>
{
    public void Configure(EntityTypeBuilder<Control> builder)
    {
        builder.Property(c => c.Id).HasMaxLength(32);
        builder.Property(c => c.Title).HasMaxLength(300);
        builder.Property(c => c.Frequency).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.SystemName).HasMaxLength(200);
        builder.HasOne(c => c.Owner).WithMany().HasForeignKey(c => c.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}
