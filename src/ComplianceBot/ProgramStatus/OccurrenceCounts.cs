namespace ComplianceBot.ProgramStatus;

/// <summary>
/// How a set of occurrences stands. Expected leaves out not-applicable and retired ones; Missed counts those whose due date
/// passed unattested (whether or not the sweep has marked them yet); Late counts attested after the due date.
/// </summary>
public sealed record OccurrenceCounts(int Expected, int Performed, int PerformedWithExceptions, int NotPerformed, int Missed, int Open, int Late, int NotApplicable)
{
    public static OccurrenceCounts Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Attested as performed (with or without exceptions).</summary>
    public int Done => Performed + PerformedWithExceptions;

    /// <summary>Share of expected occurrences performed, 0..100; null when nothing was expected.</summary>
    public int? PercentDone => Expected == 0 ? null : (int)Math.Round(100.0 * Done / Expected, MidpointRounding.AwayFromZero);

    public OccurrenceCounts Add(OccurrenceCounts other) => new(
        Expected + other.Expected, Performed + other.Performed, PerformedWithExceptions + other.PerformedWithExceptions, NotPerformed + other.NotPerformed,
        Missed + other.Missed, Open + other.Open, Late + other.Late, NotApplicable + other.NotApplicable);
}
