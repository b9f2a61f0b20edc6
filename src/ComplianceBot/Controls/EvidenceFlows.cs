namespace ComplianceBot.Controls;

/// <summary>
/// Workflows that evidence a control on their own (controls.yaml <c>evidenced_by:</c>). Such a control is attested only
/// by finishing the workflow, never through the plain form. A new flow adds its name here and registers an
/// <see cref="Attestations.ITaskAttestationPolicy"/> that points owners to it.
/// </summary>
public static class EvidenceFlows
{
    /// <summary>The quarterly access review of the control's system: its sign-off is the attestation.</summary>
    public const string AccessReview = "access_review";

    public static IReadOnlyList<string> All { get; } = [AccessReview];

    /// <summary>Flows that work on one system, so the control must name it (<c>system:</c>).</summary>
    public static bool NeedsSystem(string flow) => flow == AccessReview;
}
