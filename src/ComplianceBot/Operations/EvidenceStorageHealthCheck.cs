using ComplianceBot.Evidence;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComplianceBot.Operations;

/// <summary>Ready only when the evidence store can be reached and keeps its promises (e.g. immutability where configured).</summary>
public sealed class EvidenceStorageHealthCheck(IEvidenceStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.ProblemAsync(cancellationToken) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy();
}
