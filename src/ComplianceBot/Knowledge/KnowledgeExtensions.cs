using ComplianceBot.Admin;
using ComplianceBot.Data;
using ComplianceBot.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Knowledge;

public static class KnowledgeExtensions
{
    public static IServiceCollection AddKnowledge(this IServiceCollection services)
    {
        services.AddOptions<KnowledgeOptions>().BindConfiguration("Knowledge");
        services.AddSingleton<ProgramProfileHolder>();
        services.AddScoped<KnowledgeImporter>();
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
            return true;
        }
        catch (KnowledgeImportException ex)
        {
            app.Logger.LogCritical("Not starting: {Problems}", ex.Message);
            return false;
        }
    }

    public static RouteGroupBuilder MapKnowledgeAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/import").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapPost("/", ImportAsync);
        return group;
    }

    private static async Task<Results<Ok<ImportSummary>, ProblemHttpResult>> ImportAsync(KnowledgeImporter importer, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await importer.ImportAsync(http.AdminActor(), cancellationToken));
        }
        catch (KnowledgeImportException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["problems"] = ex.Errors.Select(e => e.ToString()).ToList() });
        }
    }
}
