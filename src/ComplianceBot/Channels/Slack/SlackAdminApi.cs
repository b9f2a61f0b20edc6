using ComplianceBot.Admin;
using ComplianceBot.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Channels.Slack;

/// <summary>A Slack event that was acknowledged but could not be handled after the maximum attempts.</summary>
public sealed record ParkedSlackEvent(long Id, string TeamId, string EventId, string EventType, int Attempts, DateTimeOffset ReceivedAt, DateTimeOffset? ParkedAt, string? Error);

/// <summary>GET /api/admin/slack/parked: parked inbox events, newest first, so an admin sees what was never answered and why.</summary>
public static class SlackAdminApi
{
    public static RouteGroupBuilder MapSlackAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/slack").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapGet("/parked", ParkedAsync);
        return group;
    }

    private static async Task<Ok<List<ParkedSlackEvent>>> ParkedAsync(ComplianceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Set<SlackInboxEvent>().AsNoTracking()
            .Where(e => e.ProcessedAt != null && e.Error != null)
            .OrderByDescending(e => e.Id).Take(500)
            .Select(e => new ParkedSlackEvent(e.Id, e.TeamId, e.EventId, e.EventType, e.Attempts, e.ReceivedAt, e.ProcessedAt, e.Error))
            .ToListAsync(cancellationToken));
}
