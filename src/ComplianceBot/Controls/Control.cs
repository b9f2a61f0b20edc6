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

    /// <summary>The workflow that evidences the control (e.g. "access_review", see <see cref="EvidenceFlows"/>); null: the plain attestation form.</summary>
    public string? EvidencedBy { get; set; }

    /// <summary>True once the control is no longer in the program files; its history stays.</summary>
    public bool Retired { get; private set; }

    public DateTimeOffset? RetiredAt { get; private set; }

    /// <summary>The control id this one had before a renumbering (controls.yaml <c>renamed_from:</c>).</summary>
    public string? RenamedFrom { get; set; }

    /// <summary>The id this control was renumbered to; set when it is retired by a renumbering.</summary>
    public string? RenamedTo { get; private set; }

    /// <summary>
    /// The first day the current schedule applies (a control added or whose frequency changed after tracking began);
    /// null: since tracking began. Occurrences are generated for periods ending on or after it.
    /// </summary>
    public DateOnly? ScheduleStart { get; set; }

    public int EffectiveDueDays => DueDays ?? Frequency switch
    {
        ControlFrequency.Daily => 0,
        ControlFrequency.Weekly => 2,
        ControlFrequency.Monthly => 5,
        _ => 15,
    };

    /// <summary>True when the plain attestation form may record this control's occurrences (or, with a flow name, that flow).</summary>
    public bool AcceptsAttestationThrough(string? flow) => string.Equals(EvidencedBy, flow, StringComparison.Ordinal);

    public void Retire(DateTimeOffset at, string? renamedTo = null)
    {
        Retired = true;
        RetiredAt = at;
        RenamedTo = renamedTo;
    }

    public void Reinstate()
    {
        Retired = false;
        RetiredAt = null;
        RenamedTo = null;
    }

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
        builder.Property(c => c.EvidencedBy).HasMaxLength(64);
        builder.Property(c => c.RenamedFrom).HasMaxLength(32);
        builder.Property(c => c.RenamedTo).HasMaxLength(32);
        builder.HasOne(c => c.Owner).WithMany().HasForeignKey(c => c.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}
