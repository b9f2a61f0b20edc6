using ComplianceBot.Admin;
using ComplianceBot.Data;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Knowledge;

public static class KnowledgeExtensions
{
    public static IServiceCollection AddKnowledge(this IServiceCollection services)
    {
        services.AddOptions<KnowledgeOptions>().BindConfiguration("Knowledge");
        services.AddSingleton<ProgramProfileHolder>();
        services.AddScoped<KnowledgeImporter>();
        services.AddScoped<ImportPlanner>();
        services.AddScoped<ReImport>();
        services.AddSingleton<KnowledgeImportHealth>();
        services.AddHostedService<KnowledgeProblemsNotifier>();
        services.AddHealthChecks().AddCheck<KnowledgeImportHealthCheck>("knowledge-files");
        services.AddScoped<TaskGenerator>();
        return services;
    }

    /// <summary>
    /// Migrates the database and imports knowledge/ before the host accepts requests.
    /// Returns false (after logging every problem with file, line and fix) when a knowledge file is bad.
    /// </summary>
    public static async Task<bool> PrepareDataAsync(this WebApplication app)
    {
        await app.Services.MigrateDatabaseAsync();
        if (!app.Services.GetRequiredService<IOptions<KnowledgeOptions>>().Value.ImportOnStartup)
        {
            return true;
        }

        using var scope = app.Services.CreateScope();
        try
        {
            var summary = await scope.ServiceProvider.GetRequiredService<KnowledgeImporter>().ImportAsync("system:startup", app.Lifetime.ApplicationStopping);
            app.Logger.LogInformation("Imported knowledge: {Criteria} criteria, {People} people, {Systems} systems, {Controls} controls, {Tasks} new tasks",
                summary.Criteria, summary.People, summary.Systems, summary.Controls, summary.TasksCreated);
            await WarnAboutDemoLeftoversAsync(app, scope.ServiceProvider);
            return true;
        }
        catch (KnowledgeImportException ex)
        {
            // A previous good import is still in the database: keep serving it rather than take the program offline.
            var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
            var lastGood = await db.AuditEvents.AsNoTracking().Where(e => e.Action == "knowledge.imported")
                .OrderByDescending(e => e.Sequence).Select(e => new { e.Timestamp, e.Data }).FirstOrDefaultAsync(app.Lifetime.ApplicationStopping);
            if (lastGood is null)
            {
                app.Logger.LogCritical("Not starting: {Problems}", ex.Message);
                return false;
            }

            if (ProfileOf(lastGood.Data) is { } profile)
            {
                app.Services.GetRequiredService<ProgramProfileHolder>().Set(profile);
            }

            app.Services.GetRequiredService<KnowledgeImportHealth>().Failed(ex.Errors, lastGood.Timestamp);
            app.Logger.LogError("Serving the last good knowledge import of {When:u}; knowledge/ has problems: {Problems}", lastGood.Timestamp, ex.Message);
            return true;
        }
    }

    private static async Task WarnAboutDemoLeftoversAsync(WebApplication app, IServiceProvider services)
    {
        var db = services.GetRequiredService<ComplianceDbContext>();
        var people = await db.People.AsNoTracking().Where(p => p.Status == People.PersonStatus.Active).Select(p => p.Email).ToListAsync(app.Lifetime.ApplicationStopping);
        var owners = await db.Controls.AsNoTracking().Where(c => !c.Retired).Select(c => c.Owner!.Email).ToListAsync(app.Lifetime.ApplicationStopping);
        foreach (var warning in DemoContent.Leftovers(services.GetRequiredService<ProgramProfileHolder>().Current, people, owners))
        {
            app.Logger.LogWarning("Demo content mixed with a real organisation: {Warning}", warning);
        }
    }

    private static ProgramProfile? ProfileOf(string auditData)
    {
        using var data = System.Text.Json.JsonDocument.Parse(auditData);
        return data.RootElement.TryGetProperty("profile", out var profile) && profile.GetString() is { } json
            ? System.Text.Json.JsonSerializer.Deserialize<ProgramProfile>(json)
            : null;
    }

    public static RouteGroupBuilder MapKnowledgeAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/import").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapPost("/", ImportAsync);
        return group;
    }

    /// <summary>
    /// POST /api/admin/import[?dryRun=true][&amp;reassign=old@x:new@y]: the plan on a dry run; 409 with the plan while a
    /// leaver's work has nowhere to go; otherwise the applied plan with its summary.
    /// </summary>
    private static async Task<Results<Ok<ImportPlan>, Conflict<ImportPlan>, ProblemHttpResult>> ImportAsync(
        ReImport reImport, HttpContext http, bool? dryRun, [FromQuery] string[]? reassign, KnowledgeImportHealth health, CancellationToken cancellationToken)
    {
        if (ImportPlanner.ParseReassign(reassign ?? []) is not { } successors)
        {
            return TypedResults.Problem("reassign takes old@example.com:new@example.com pairs, comma-separated or repeated.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var plan = await reImport.RunAsync(http.AdminActor(), dryRun ?? false, successors, cancellationToken);
            if (plan.Applied)
            {
                health.Imported();
            }

            return plan.Blocked && !plan.DryRun ? TypedResults.Conflict(plan) : TypedResults.Ok(plan);
        }
        catch (KnowledgeImportException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["problems"] = ex.Errors.Select(e => e.ToString()).ToList() });
        }
    }
}
