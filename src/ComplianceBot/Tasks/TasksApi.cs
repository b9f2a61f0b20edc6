using ComplianceBot.Admin;
using ComplianceBot.Audit;
using ComplianceBot.People;
using ComplianceBot.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tasks;

/// <summary>POST body: why the occurrence does not apply, and the compliance admin deciding it.</summary>
public sealed record NotApplicableRequest(string? Reason, string? By);

public sealed record TaskItem(int Id, string ControlId, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, DateOnly DueDate, string AssigneeEmail, string Status);

public static class TasksApi
{
    public static IServiceCollection AddTasks(this IServiceCollection services)
    {
        services.AddOptions<AttestationWindowOptions>().BindConfiguration(AttestationWindowOptions.Section);
        return services.AddScoped<Conversations.IFlow, MyTasksFlow>()
            .AddSingleton(new Help.HelpTopic(10, "my tasks", "your open control tasks, due dates and what to do next", new Conversations.ReplyAction(MyTasksFlow.ListAction, "My tasks", Style: Conversations.ActionStyle.Primary)));
    }

    public static RouteGroupBuilder MapTasksAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/tasks").RequireAuthorization(ApiPolicies.Auditor).WithTags("Admin");
        group.MapGet("/", ListAsync);
        group.MapPost("/{id:int}/not-applicable", MarkNotApplicableAsync).RequireAuthorization(ApiPolicies.Admin);
        return group;
    }

    /// <summary>
    /// Occurrences by any period they fall in (period=2026-Q4 also lists the months and weeks inside it; Q4; 2026-11; 2026-W47),
    /// status (overdue, or a stored status such as Open), dueBefore (yyyy-MM-dd), owner and manager email; at most <paramref name="take"/> rows.
    /// </summary>
    private static async Task<Results<Ok<List<ProgramStatus.TaskRow>>, ProblemHttpResult>> ListAsync(
        ProgramStatus.ProgramStatusQuery programStatus, string? period, string? status, string? dueBefore,
        string? owner, string? manager, int? take, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var parsedPeriod = string.IsNullOrWhiteSpace(period) ? null : programStatus.ParsePeriod(period, out var periodProblem) ?? Problem(problems, periodProblem);
        var overdue = string.Equals(status?.Trim(), "overdue", StringComparison.OrdinalIgnoreCase);
        ControlTaskStatus? stored = null;
        if (!string.IsNullOrWhiteSpace(status) && !overdue)
        {
            if (Enum.TryParse<ControlTaskStatus>(status.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(status, out _))
            {
                stored = parsed;
            }
            else
            {
                problems.Add($"Unknown status '{status}'. Use overdue or one of: {string.Join(", ", Enum.GetNames<ControlTaskStatus>())}.");
            }
        }

        DateOnly? before = null;
        if (!string.IsNullOrWhiteSpace(dueBefore))
        {
            if (DateOnly.TryParseExact(dueBefore.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
            {
                before = day;
            }
            else
            {
                problems.Add($"dueBefore '{dueBefore}' is not a date like 2026-12-31.");
            }
        }

        if (take is < 1 or > 10_000)
        {
            problems.Add("take must be between 1 and 10000.");
        }

        if (problems.Count > 0)
        {
            return TypedResults.Problem(string.Join(" ", problems), statusCode: StatusCodes.Status400BadRequest, title: "The task query is not valid");
        }

        var query = new ProgramStatus.TaskQuery(parsedPeriod, overdue, stored, before,
            string.IsNullOrWhiteSpace(owner) ? null : EmailAddress.Normalize(owner), string.IsNullOrWhiteSpace(manager) ? null : EmailAddress.Normalize(manager), take ?? 1000);
        return TypedResults.Ok(await programStatus.TasksAsync(query, cancellationToken));
    }

    private static ProgramStatus.StatusPeriod? Problem(List<string> problems, string? problem)
    {
        problems.Add(problem ?? ProgramStatus.StatusPeriod.Hint);
        return null;
    }

    /// <summary>
    /// A compliance admin marks an occurrence not applicable (e.g. no production change that month), with a reason.
    /// Audited under the admin's name; its reminders stop; the population lists it with the reason.
    /// </summary>
    private static async Task<Results<Ok<TaskItem>, ProblemHttpResult>> MarkNotApplicableAsync(
        int id, NotApplicableRequest body, ComplianceDbContext db, AuditTrail audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var email = body.By?.Trim().ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(body.Reason) || string.IsNullOrWhiteSpace(email))
        {
            return TypedResults.Problem("Send {\"reason\": \"why this occurrence does not apply\", \"by\": \"<email of a compliance admin>\"}.", statusCode: StatusCodes.Status400BadRequest);
        }

        var admin = await db.People.SingleOrDefaultAsync(p => p.Email == email, cancellationToken);
        if (admin is not { IsActive: true } || !admin.Has(PersonRoles.ComplianceAdmin))
        {
            return TypedResults.Problem($"'{email}' is not an active compliance admin in the directory (people.yaml roles: [compliance_admin]); only a compliance admin may mark an occurrence not applicable.", statusCode: StatusCodes.Status400BadRequest);
        }

        var task = await db.ControlTasks.Include(t => t.Assignee).SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null)
        {
            return TypedResults.Problem($"No occurrence {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        if (!ControlTask.CanMove(task.Status, ControlTaskStatus.NotApplicable))
        {
            return TypedResults.Problem($"{task.ControlId} for {task.Period} is {task.StatusLabel.ToLowerInvariant()}; only an open or missed occurrence can be marked not applicable.", statusCode: StatusCodes.Status409Conflict);
        }

        var now = clock.GetUtcNow();
        task.MarkNotApplicable(body.Reason, now);
        audit.Record(admin.Email, "occurrence.not_applicable", $"task:{task.Id}", new()
        {
            ["control"] = task.ControlId,
            ["period"] = task.Period,
            ["reason"] = task.Reason,
            ["via"] = http.AdminActor(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem("The occurrence changed at the same moment (an attestation?). Look at it again.", statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Ok(new TaskItem(task.Id, task.ControlId, task.Period, task.PeriodStart, task.PeriodEnd, task.DueDate, task.Assignee!.Email, task.Status.ToString()));
    }
}
