using ComplianceBot.Tasks;

namespace ComplianceBot.Attestations;

/// <summary>
/// The workflow that evidences a control (controls.yaml <c>evidenced_by:</c>, see <see cref="Controls.EvidenceFlows"/>):
/// its occurrences are attested by finishing that workflow, so the plain form points the owner there instead.
/// </summary>
public interface ITaskAttestationPolicy
{
    /// <summary>The <c>evidenced_by</c> name this policy answers for.</summary>
    string Flow { get; }

    /// <summary>Where to go instead of the plain form for this occurrence, and why.</summary>
    Task<Conversations.Reply> RedirectAsync(ControlTask task, CancellationToken cancellationToken);
}
