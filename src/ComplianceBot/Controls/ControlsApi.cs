using ComplianceBot.Admin;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Controls;

public sealed record ControlItem(string Id, string Title, string Description, string OwnerEmail, string Frequency, IReadOnlyList<string> Criteria, string? System, IReadOnlyList<string> Evidence, bool Retired);

public static class ControlsApi
{
    public static RouteGroupBuilder MapControlsAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/controls").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapGet("/", async (ComplianceDbContext db, CancellationToken ct) =>
        {
            var controls = await db.Controls.AsNoTracking().Include(c => c.Owner).OrderBy(c => c.Id).ToListAsync(ct);
            return TypedResults.Ok(controls.Select(c => new ControlItem(
                c.Id, c.Title, c.Description, c.Owner!.Email, c.Frequency.ToString().ToLowerInvariant(), c.Criteria, c.SystemName, c.EvidenceRequirements, c.Retired)).ToList());
        });
        return group;
    }
}
