using ComplianceBot.Admin;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Digest;

/// <summary>GET /api/admin/digest: the digest as it would go out now, its parts and its text.</summary>
public sealed record DigestPreview(string Recipient, WeeklyDigest Digest, string? Title, string Text, IReadOnlyList<ReplyField> Fields);

public static class DigestExtensions
{
    public static IServiceCollection AddDigest(this IServiceCollection services)
    {
        services.AddOptions<DigestOptions>().BindConfiguration("Digest")
            .Validate(o => o.Hour is >= 0 and <= 23, "Digest:Hour must be an hour of the day, 0 to 23.")
            .Validate(o => string.IsNullOrWhiteSpace(o.TimeZone) || TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _),
                "Digest:TimeZone is not a known time zone id (use an IANA id such as Europe/Berlin, or leave it empty).")
            .Validate(o => o.StuckReviewDays > 0 && o.StuckChangeDays > 0 && o.TrendWeeks is > 0 and <= 52 && o.MaxListed > 0,
                "Digest:StuckReviewDays, StuckChangeDays and MaxListed must be positive, TrendWeeks 1 to 52.")
            .ValidateOnStart();
        services.AddScoped<WeeklyDigestQuery>();
        services.AddScoped<DigestBuilder>();
        services.AddSingleton<DigestScheduler>();
        services.AddSingleton<IScheduledWork>(sp => sp.GetRequiredService<DigestScheduler>());
        return services;
    }

    /// <summary>GET /api/admin/digest?manager=email: previews this week's digest for the compliance channel or a manager's team.</summary>
    public static RouteGroupBuilder MapDigestAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/digest").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapGet("/", PreviewAsync);
        return group;
    }

    private static async Task<Results<Ok<DigestPreview>, ProblemHttpResult>> PreviewAsync(
        ComplianceDbContext db, DigestBuilder builder, DigestScheduler scheduler, string? manager, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(manager))
        {
            var (digest, reply) = await builder.ForChannelAsync(await scheduler.ChannelCalendarAsync(db, cancellationToken), cancellationToken);
            return TypedResults.Ok(Preview("compliance channel", digest, reply));
        }

        var email = EmailAddress.Normalize(manager);
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Email == email, cancellationToken);
        if (person is null)
        {
            return TypedResults.Problem($"No one with the email '{manager}' is in the directory.", statusCode: StatusCodes.Status404NotFound);
        }

        return await builder.ForManagerAsync(person, cancellationToken) is ({ } teamDigest, { } teamReply)
            ? TypedResults.Ok(Preview(person.Email, teamDigest, teamReply))
            : TypedResults.Problem($"{person.Name} has no active direct reports in the directory, so there is no team digest.", statusCode: StatusCodes.Status404NotFound);
    }

    private static DigestPreview Preview(string recipient, WeeklyDigest digest, Reply reply) => new(recipient, digest, reply.Title, reply.Text.ToString(), reply.Fields);
}
