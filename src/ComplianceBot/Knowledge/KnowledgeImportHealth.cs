using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComplianceBot.Knowledge;

/// <summary>
/// Whether the host serves the knowledge folder as it is, or the last good import because the folder has problems
/// (a bad edit must not take a running compliance program offline). /healthz reports Degraded with the problems.
/// </summary>
public sealed class KnowledgeImportHealth
{
    private volatile State _state = new([], null);

    public IReadOnlyList<ImportError> Problems => _state.Problems;

    /// <summary>When the import now being served was made (set only while serving it because of problems).</summary>
    public DateTimeOffset? ServingImportOf => _state.ServingImportOf;

    public void Failed(IReadOnlyList<ImportError> problems, DateTimeOffset servingImportOf) => _state = new(problems, servingImportOf);

    public void Imported() => _state = new([], null);

    private sealed record State(IReadOnlyList<ImportError> Problems, DateTimeOffset? ServingImportOf);
}

public sealed class KnowledgeImportHealthCheck(KnowledgeImportHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health.Problems.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded(
                $"knowledge/ has {health.Problems.Count} problem(s); serving the import of {health.ServingImportOf:yyyy-MM-dd HH:mm} UTC: " +
                string.Join(" | ", health.Problems.Select(p => p.ToString()))));
}
