using ComplianceBot.Tasks;

namespace ComplianceBot.Attestations;

/// <summary>
/// Lets a feature say that a task is not attested through the plain form but by finishing its own workflow
/// (an access-review task is attested by signing off the review), so the form cannot bypass that workflow.
/// </summary>
public interface ITaskAttestationPolicy
{
    /// <summary>A reply explaining where to go instead, or null when the plain attestation form is right for this task.</summary>
    Task<Conversations.Reply?> RedirectAsync(ControlTask task, CancellationToken cancellationToken);
}
