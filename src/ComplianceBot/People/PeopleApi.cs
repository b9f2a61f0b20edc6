using ComplianceBot.Admin;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.People;

public sealed record PersonItem(string Email, string Name, string? Title, string? ManagerEmail, string TimeZone, string WorkingHours, string WorkDays, IReadOnlyList<string> Roles, string PreferredChannel, string Status,
    string Employment, string? Department, DateOnly? StartDate, DateOnly? EndDate, string Source);

public static class PeopleApi
{
    public static IServiceCollection AddPeople(this IServiceCollection services) => services
        .AddMemoryCache()
        .AddSingleton<PersonResolutionCache>()
        .AddScoped<PersonDirectory>()
        .AddScoped<PeopleCsvImport>()
        .AddScoped<IChoiceSource, ActivePeopleChoices>();

    public static RouteGroupBuilder MapPeopleAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/people").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapGet("/", async (ComplianceDbContext db, CancellationToken ct) =>
        {
            var people = await db.People.AsNoTracking().Include(p => p.Manager).OrderBy(p => p.Email).ToListAsync(ct);
            return TypedResults.Ok(people.Select(p => p.AsItem()).ToList());
        });
        group.MapPost("/import", ImportAsync);
        return group;
    }

    /// <summary>POST /api/admin/people/import?dryRun=true with a text/csv body (an HR export).</summary>
    private static async Task<Results<Ok<PeopleImportResult>, BadRequest<PeopleImportResult>>> ImportAsync(
        HttpRequest request, PeopleCsvImport import, bool? dryRun, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var csv = await reader.ReadToEndAsync(cancellationToken);
        var result = await import.ImportAsync(csv, dryRun ?? false, request.HttpContext.AdminActor(), cancellationToken);
        return result.Errors.Count > 0 ? TypedResults.BadRequest(result) : TypedResults.Ok(result);
    }

    public static PersonItem AsItem(this Person p) => new(
        p.Email, p.Name, p.Title, p.Manager?.Email, p.TimeZone, $"{p.WorkStart:HH\\:mm}-{p.WorkEnd:HH\\:mm}", p.WorkDays.ToString(),
        [.. Enum.GetValues<PersonRoles>().Where(r => r != PersonRoles.None && p.Has(r)).Select(r => r.ToString())],
        p.PreferredChannel.ToString(), p.Status.ToString(), p.Employment.ToString(), p.Department, p.StartDate, p.EndDate, p.Source.ToString().ToLowerInvariant());
}
