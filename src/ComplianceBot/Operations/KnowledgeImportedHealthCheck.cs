using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComplianceBot.Operations;

/// <summary>Ready only once the knowledge (people, controls) is in the database, imported by this host or another.</summary>
public sealed class KnowledgeImportedHealthCheck(ComplianceDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Controls.AnyAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("no knowledge imported yet (Knowledge:ImportOnStartup, or POST /api/admin/import)");
}
