using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComplianceBot.Ask;

/// <summary>
/// /healthz says "Degraded" (still 200) while MiniLM loads and embeds the passages in the background: questions are
/// answered from keywords only until then. On a fresh data directory that takes a while and costs CPU, so an operator
/// (or a load test) can wait for "Healthy" before judging answer quality or throughput.
/// </summary>
public sealed class KnowledgeHealthCheck(KnowledgeIndex index) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(index.DenseReady.IsCompleted
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded("Ask: MiniLM is loading; answers use keyword retrieval until it is ready"));
}
