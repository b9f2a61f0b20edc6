using ComplianceBot.Data;

namespace ComplianceBot.Audit;

/// <summary>Adds audit events to the current unit of work; they are chained and saved with the change they describe.</summary>
public sealed class AuditTrail(ComplianceDbContext db, TimeProvider clock)
{
    public void Record(string actor, string action, string subject, Dictionary<string, string?>? data = null) =>
        db.AuditEvents.Add(new AuditEvent
        {
            Timestamp = clock.GetUtcNow().ToStoredPrecision(), // hashed: the chain must verify after a round trip through PostgreSQL
            Actor = actor,
            Action = action,
            Subject = subject,
            Data = AuditEvent.CanonicalJson(data ?? []),
        });
}
