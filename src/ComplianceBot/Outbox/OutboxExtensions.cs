using ComplianceBot.Admin;
using ComplianceBot.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Outbox;

/// <summary>One row of GET /api/admin/outbox.</summary>
public sealed record OutboxItem(
    long Id, string Key, string Kind, string Topic, string Subject, string? To, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset DueAt,
    DateTimeOffset? SentAt, string? SentChannel, string? AttemptChannel, DateTimeOffset? AttemptStartedAt, string? LastError);

public static class OutboxExtensions
{
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration("Outbox");
        services.AddSingleton<Wakeup<OutboxWorker>>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddScoped<OutboxWriter>();
        services.AddScoped<DeliveryArrivals>();
        services.AddHostedService<OutboxWorker>();
        return services;
    }

    /// <summary>GET /api/admin/outbox?status=Parked|Unconfirmed|Pending|Sent|Superseded&amp;topic=&amp;subject=: what left the host, or could not.</summary>
    public static RouteGroupBuilder MapOutboxAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/outbox").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapGet("/", ListAsync);
        return group;
    }

    private static async Task<Results<Ok<List<OutboxItem>>, BadRequest<string>>> ListAsync(
        ComplianceDbContext db, string? status, string? topic, string? subject, int? take, CancellationToken cancellationToken)
    {
        var query = db.Outbox.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!Enum.TryParse<OutboxStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return TypedResults.BadRequest($"Unknown status '{status}'. Use one of: {string.Join(", ", Enum.GetNames<OutboxStatus>())}.");
            }

            query = query.Where(m => m.Status == parsed);
        }

        if (!string.IsNullOrWhiteSpace(topic))
        {
            query = query.Where(m => m.Topic == topic);
        }

        if (!string.IsNullOrWhiteSpace(subject))
        {
            query = query.Where(m => m.Subject == subject);
        }

        var rows = await query.OrderByDescending(m => m.Id).Take(Math.Clamp(take ?? 500, 1, 5000))
            .Select(m => new
            {
                m.Id, m.Key, m.Kind, m.Topic, m.Subject, Recipient = m.Recipient == null ? null : m.Recipient.Email, m.ChannelName, m.TargetConversationId, m.Url,
                m.Status, m.Attempts, m.CreatedAt, m.DueAt, m.SentAt, m.SentChannel, m.AttemptChannel, m.AttemptStartedAt, m.LastError,
            })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(m => new OutboxItem(
            m.Id, m.Key, m.Kind.ToString(), m.Topic, m.Subject, m.Recipient ?? m.ChannelName ?? m.TargetConversationId ?? RedactedUrl(m.Url), m.Status.ToString(), m.Attempts,
            m.CreatedAt, m.DueAt, m.SentAt, m.SentChannel?.ToString(), m.AttemptChannel?.ToString(), m.AttemptStartedAt, m.LastError)).ToList());
    }

    /// <summary>Scheme, host and path only: a callback URL may carry a token in its query or userinfo.</summary>
    private static string? RedactedUrl(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path).Replace(uri.UserInfo + "@", "", StringComparison.Ordinal) : null;
}
