using ComplianceBot.Controls;

namespace ComplianceBot.Tasks;

/// <summary>
/// How many days before its period ends an occurrence opens for attestation, per frequency (never before the period
/// starts). An auditor treats an attestation made before the period happened as an exception, so the defaults open
/// a daily occurrence on its day and the others in the last part of their period.
/// </summary>
public sealed class AttestationWindowOptions
{
    public const string Section = "AttestationWindows";

    public int Daily { get; set; }
    public int Weekly { get; set; } = 2;
    public int Monthly { get; set; } = 7;
    public int Quarterly { get; set; } = 45;
    public int Semiannual { get; set; } = 90;
    public int Annual { get; set; } = 120;

    public int DaysBeforeEnd(ControlFrequency frequency) => frequency switch
    {
        ControlFrequency.Daily => Daily,
        ControlFrequency.Weekly => Weekly,
        ControlFrequency.Monthly => Monthly,
        ControlFrequency.Quarterly => Quarterly,
        ControlFrequency.Semiannual => Semiannual,
        _ => Annual,
    };

    /// <summary>The first day <paramref name="task"/> may be attested through the form.</summary>
    public DateOnly OpensOn(ControlTask task, Control control) => task.AttestableFrom(DaysBeforeEnd(control.Frequency));
}
