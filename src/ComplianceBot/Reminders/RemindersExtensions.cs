using ComplianceBot.Admin;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Reminders;

/// <summary>A rung of the ladder and, once handed to the outbox, how its delivery stands there.</summary>
public sealed record ReminderItem(long Id, string Subject, string Step, string Audience, string? Recipient, DateTimeOffset DueAt, string Status, DateTimeOffset? SentAt,
    string? Delivery = null, int Attempts = 0, string? LastError = null, string? AttemptChannel = null, DateTimeOffset? AttemptStartedAt = null, string? SentChannel = null);

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

    /// <summary>GET /api/admin/reminders?status=&amp;subject=: the ladder's rows with their delivery state (the outbox lists failures: GET /api/admin/outbox?status=Parked).</summary>
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

        var reminders = await query.OrderBy(r => r.DueAt).Take(Math.Clamp(take ?? 500, 1, 5000))
            .Select(r => new { r.Id, r.Subject, r.Step, r.Audience, Recipient = r.Recipient!.Email, r.DueAt, r.Status, r.SentAt })
            .ToListAsync(cancellationToken);
        // Delivery lives in the outbox, keyed by the reminder's delivery key.
        var keys = reminders.Where(r => r.Status == ReminderStatus.Sent).Select(r => Reminder.KeyFor(r.Id, r.Step)).ToList();
        var deliveries = new Dictionary<string, OutboxMessage>();
        foreach (var chunk in keys.Chunk(500))
        {
            foreach (var row in await db.Outbox.AsNoTracking().Where(m => chunk.Contains(m.Key)).ToListAsync(cancellationToken))
            {
                deliveries[row.Key] = row;
            }
        }

        return TypedResults.Ok(reminders.Select(r => deliveries.GetValueOrDefault(Reminder.KeyFor(r.Id, r.Step)) is { } d
            ? new ReminderItem(r.Id, r.Subject, r.Step, r.Audience.ToString(), r.Recipient, r.DueAt, r.Status.ToString(), r.SentAt,
                d.Status.ToString(), d.Attempts, d.LastError, d.AttemptChannel?.ToString(), d.AttemptStartedAt, d.SentChannel?.ToString())
            : new ReminderItem(r.Id, r.Subject, r.Step, r.Audience.ToString(), r.Recipient, r.DueAt, r.Status.ToString(), r.SentAt)).ToList());
    }
}
