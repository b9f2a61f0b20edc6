using ComplianceBot.Admin;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Reminders;

public sealed record ReminderItem(long Id, string Subject, string Step, string Audience, string? Recipient, DateTimeOffset DueAt, string Status, int Attempts, DateTimeOffset? SentAt, string? LastError, string? AttemptChannel = null, DateTimeOffset? AttemptStartedAt = null);

public static class RemindersExtensions
{
    public static IServiceCollection AddReminders(this IServiceCollection services)
    {
        services.AddOptions<ReminderOptions>().BindConfiguration("Reminders");
        services.AddSingleton<ReminderLadder>();
        services.AddScoped<ReminderPlanner>();
        services.AddScoped<IReminderSubject, TaskReminderSubject>();
        services.AddSingleton<ReminderDispatcher>();
        services.AddSingleton<ReminderSweep>();
        services.AddHostedService<ReminderService>();
        services.AddScoped<IFlow, ReminderFlow>();
        services.AddSingleton<ITaskActions, ReminderTaskActions>();
        return services;
    }

    /// <summary>GET /api/admin/reminders?status=Failed (or Unconfirmed): the ladder's rows, so failed and doubtful deliveries are visible.</summary>
    public static RouteGroupBuilder MapRemindersAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/reminders").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapGet("/", ListAsync);
        return group;
    }

    private static async Task<Results<Ok<List<ReminderItem>>, ProblemHttpResult>> ListAsync(ComplianceDbContext db, string? status, string? subject, int? take, CancellationToken cancellationToken)
    {
        var query = db.Reminders.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!Enum.TryParse<ReminderStatus>(status, ignoreCase: true, out var parsed))
            {
                return TypedResults.Problem($"Unknown status '{status}'. Use one of: {string.Join(", ", Enum.GetNames<ReminderStatus>())}.", statusCode: StatusCodes.Status400BadRequest);
            }

            query = query.Where(r => r.Status == parsed);
        }

        if (!string.IsNullOrWhiteSpace(subject))
        {
            query = query.Where(r => r.Subject == subject);
        }

        return TypedResults.Ok(await query.OrderBy(r => r.DueAt).Take(Math.Clamp(take ?? 500, 1, 5000))
            .Select(r => new ReminderItem(r.Id, r.Subject, r.Step, r.Audience.ToString(), r.Recipient!.Email, r.DueAt, r.Status.ToString(), r.Attempts, r.SentAt, r.LastError, r.AttemptChannel == null ? null : r.AttemptChannel.ToString(), r.AttemptStartedAt))
            .ToListAsync(cancellationToken));
    }
}
