using ComplianceBot.Admin;
using ComplianceBot.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tasks;

public sealed record TaskItem(int Id, string ControlId, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly DueDate, string AssigneeEmail, string Status);

public static class TasksApi
{
    public static IServiceCollection AddTasks(this IServiceCollection services) =>
        services.AddScoped<Conversations.IFlow, MyTasksFlow>()
            .AddSingleton(new Help.HelpTopic(10, "my tasks", "your open control tasks, due dates and what to do next", new Conversations.ReplyAction(MyTasksFlow.ListAction, "My tasks", Style: Conversations.ActionStyle.Primary)));

    public static RouteGroupBuilder MapTasksAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/tasks").RequireAuthorization(ApiPolicies.Auditor).WithTags("Admin");
        group.MapGet("/", ListAsync);
        return group;
    }

    /// <summary>Tasks filtered by period ("2026-Q4"), status ("Open") and owner email; at most <paramref name="take"/> rows.</summary>
    private static async Task<Results<Ok<List<TaskItem>>, ProblemHttpResult>> ListAsync(
        ComplianceDbContext db, string? period, string? status, string? owner, int? take, CancellationToken cancellationToken)
    {
        var query = db.ControlTasks.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(period))
        {
            query = query.Where(t => t.Period == period);
        }

        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!Enum.TryParse<ControlTaskStatus>(status, ignoreCase: true, out var parsed))
            {
                return TypedResults.Problem($"Unknown status '{status}'. Use one of: {string.Join(", ", Enum.GetNames<ControlTaskStatus>())}.", statusCode: StatusCodes.Status400BadRequest);
            }

            query = query.Where(t => t.Status == parsed);
        }

        if (!string.IsNullOrWhiteSpace(owner))
        {
            var email = People.EmailAddress.Normalize(owner);
            query = query.Where(t => t.Assignee!.Email == email);
        }

        var rows = await query.OrderBy(t => t.DueDate).ThenBy(t => t.ControlId).Take(Math.Clamp(take ?? 1000, 1, 10_000))
            .Select(t => new TaskItem(t.Id, t.ControlId, t.Period, t.PeriodStart, t.PeriodEnd, t.DueDate, t.Assignee!.Email, t.Status.ToString()))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows);
    }
}
