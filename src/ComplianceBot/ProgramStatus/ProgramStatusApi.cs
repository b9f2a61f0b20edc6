using ComplianceBot.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ComplianceBot.ProgramStatus;

public static class ProgramStatusApi
{
    public static IServiceCollection AddProgramStatus(this IServiceCollection services)
    {
        services.AddScoped<ProgramStatusQuery>();
        services.AddScoped<Conversations.IFlow, StatusFlow>();
        services.AddScoped<Understanding.IIntentHandler, StatusIntentHandler>();
        services.AddSingleton(new Help.HelpTopic(5, "status", "program status by role: the whole program for compliance admins, your team for managers, your own work for everyone",
            new Conversations.ReplyAction(StatusFlow.ShowAction, "Status")));
        return services;
    }

    /// <summary>
    /// GET /api/admin/status (the program by period), /api/admin/status/changes (waiting changes and lead times) and
    /// /api/admin/status/reviews (access-review progress). Auditors read them too.
    /// </summary>
    public static RouteGroupBuilder MapProgramStatus(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/status").RequireAuthorization(ApiPolicies.Auditor).WithTags("Admin");
        group.MapGet("/", ReportAsync);
        group.MapGet("/changes", ChangesAsync);
        group.MapGet("/reviews", ReviewsAsync);
        return group;
    }

    private static async Task<Results<Ok<ProgramStatusReport>, ProblemHttpResult>> ReportAsync(string? period, ProgramStatusQuery status, CancellationToken cancellationToken) =>
        status.ParsePeriod(period, out var problem) is { } parsed
            ? TypedResults.Ok(await status.ReportAsync(parsed, cancellationToken))
            : BadPeriod(problem);

    private static async Task<Results<Ok<ChangeApprovalStatus>, ProblemHttpResult>> ChangesAsync(string? period, ProgramStatusQuery status, CancellationToken cancellationToken) =>
        status.ParsePeriod(period, out var problem) is { } parsed
            ? TypedResults.Ok(await status.ChangesAsync(parsed, cancellationToken))
            : BadPeriod(problem);

    private static async Task<Results<Ok<List<ReviewProgress>>, ProblemHttpResult>> ReviewsAsync(string? period, ProgramStatusQuery status, CancellationToken cancellationToken) =>
        status.ParsePeriod(period, out var problem) is { } parsed
            ? TypedResults.Ok(await status.ReviewsAsync(parsed, null, cancellationToken))
            : BadPeriod(problem);

    private static ProblemHttpResult BadPeriod(string? problem) =>
        TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest, title: "The period is not valid");
}
