using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComplianceBot.Operations;

/// <summary>Ready only when every migration is applied: a host must not serve a schema it does not know.</summary>
public sealed class MigrationsHealthCheck(ComplianceDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return pending.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)} (Database:MigrateOnStartup, or apply the scripts)");
    }
}
