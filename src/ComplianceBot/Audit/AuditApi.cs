using ComplianceBot.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ComplianceBot.Audit;

/// <summary>{"ok": true, "count": n} when the chain holds, else ok false and the first broken sequence.</summary>
public sealed record AuditVerifyResponse(bool Ok, long Count, long? FirstBrokenSequence);

public static class AuditApi
{
    public static RouteGroupBuilder MapAuditAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/audit").RequireAuthorization(ApiPolicies.Auditor).WithTags("Admin");
        group.MapGet("/verify", VerifyAsync);
        return group;
    }

    private static async Task<Ok<AuditVerifyResponse>> VerifyAsync(AuditTrail audit, CancellationToken cancellationToken)
    {
        var result = await audit.VerifyAsync(cancellationToken);
        return TypedResults.Ok(new AuditVerifyResponse(result.Ok, result.Count, result.FirstBrokenSequence));
    }
}
