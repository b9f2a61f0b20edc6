using ComplianceBot.Admin;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.People;

public sealed record PersonItem(string Email, string Name, string? Title, string? ManagerEmail, string TimeZone, string WorkingHours, string WorkDays, IReadOnlyList<string> Roles, string PreferredChannel, string Status);

public static class PeopleApi
{
    public static IServiceCollection AddPeople(this IServiceCollection services) => services
        .AddMemoryCache()
        .AddSingleton<PersonResolutionCache>()
        .AddScoped<PersonDirectory>();

    public static RouteGroupBuilder MapPeopleAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/people").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapGet("/", async (ComplianceDbContext db, CancellationToken ct) =>
        {
            var people = await db.People.AsNoTracking().Include(p => p.Manager).OrderBy(p => p.Email).ToListAsync(ct);
            return TypedResults.Ok(people.Select(p => p.AsItem()).ToList());
        });
        return group;
    }

    public static PersonItem AsItem(this Person p) => new(
        p.Email, p.Name, p.Title, p.Manager?.Email, p.TimeZone, $"{p.WorkStart:HH\\:mm}-{p.WorkEnd:HH\\:mm}", p.WorkDays.ToString(),
        [.. Enum.GetValues<PersonRoles>().Where(r => r != PersonRoles.None && p.Has(r)).Select(r => r.ToString())],
        p.PreferredChannel.ToString(), p.Status.ToString());
}
