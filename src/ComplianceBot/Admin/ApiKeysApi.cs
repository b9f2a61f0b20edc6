using ComplianceBot.Audit;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Admin;

/// <summary>POST /api/admin/keys {"person", "roles", "name", "expires"?}.</summary>
public sealed record NewApiKey(string? Person, string[]? Roles, string? Name, DateOnly? Expires);

/// <summary>The created key: <see cref="Key"/> is shown this once and never again.</summary>
public sealed record CreatedApiKey(int Id, string Key, string Person, string[] Roles, string Name, DateTimeOffset? ExpiresAt);

public sealed record ApiKeyItem(int Id, string Hint, string Person, string[] Roles, string Name, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string? RevokedBy);

public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/keys").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapDelete("/{id:int}", RevokeAsync);
        return group;
    }

    private static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateAsync(
        NewApiKey body, HttpContext http, ComplianceDbContext db, PersonDirectory directory, AuditTrail audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Trim().Length > 200)
        {
            errors["name"] = ["name is required (at most 200 characters): what the key is for, e.g. \"Q4 2026 audit\"."];
        }

        var roles = ApiRoles.None;
        foreach (var name in body.Roles ?? [])
        {
            if (Enum.TryParse<ApiRoles>(name, ignoreCase: true, out var role) && role != ApiRoles.None && Enum.IsDefined(role))
            {
                roles |= role;
            }
            else
            {
                errors["roles"] = [$"Unknown role '{name}'. Use admin, auditor or integration."];
            }
        }

        if (roles == ApiRoles.None && !errors.ContainsKey("roles"))
        {
            errors["roles"] = ["Give at least one role: admin, auditor or integration."];
        }

        var email = body.Person?.Trim() ?? "";
        var person = email.Length == 0 ? null : await directory.FindByEmailAsync(email, cancellationToken);
        if (person is null || !person.IsActive)
        {
            errors["person"] = [$"No active person with the email '{email}' is in the directory (knowledge/program/people.yaml)."];
        }
        else if ((roles & ~ApiKey.AllowedFor(person)) is var missing && missing != ApiRoles.None && !errors.ContainsKey("roles"))
        {
            errors["roles"] = [$"{person.Email} cannot hold {missing.ToString().ToLowerInvariant()}: admin needs compliance_admin and auditor needs auditor (or compliance_admin) in people.yaml."];
        }

        var now = clock.GetUtcNow();
        DateTimeOffset? expires = body.Expires is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1) : null;
        if (expires <= now)
        {
            errors["expires"] = ["expires must be a future date (the key works through that day, UTC)."];
        }

        if (errors.Count > 0 || person is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The key was not created.");
        }

        var actor = http.AdminActor();
        var (key, secret) = ApiKey.Create(person, body.Name!, roles, expires, actor, now);
        db.Add(key);
        audit.Record(actor, "api-key.created", $"api-key:{key.Hint}", new()
        {
            ["person"] = person.Email, ["roles"] = string.Join(",", RoleNames(roles)), ["name"] = key.Name, ["hint"] = key.Hint,
            ["expires"] = expires?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/admin/keys/{key.Id}", new CreatedApiKey(key.Id, secret, person.Email, RoleNames(roles), key.Name, expires));
    }

    private static async Task<Ok<List<ApiKeyItem>>> ListAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        var keys = await db.Set<ApiKey>().AsNoTracking().Include(k => k.Person).OrderBy(k => k.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.Select(k => new ApiKeyItem(k.Id, k.Hint, k.Person!.Email, RoleNames(k.Roles), k.Name, k.CreatedAt, k.CreatedBy, k.ExpiresAt, k.RevokedAt, k.RevokedBy)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        int id, HttpContext http, ComplianceDbContext db, AuditTrail audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var key = await db.Set<ApiKey>().Include(k => k.Person).SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return TypedResults.Problem($"No API key {id} (GET /api/admin/keys lists them).", statusCode: StatusCodes.Status404NotFound);
        }

        if (key.RevokedAt is null)
        {
            var actor = http.AdminActor();
            key.Revoke(actor, clock.GetUtcNow());
            audit.Record(actor, "api-key.revoked", $"api-key:{key.Hint}", new() { ["person"] = key.Person!.Email, ["hint"] = key.Hint });
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.NoContent();
    }

    private static string[] RoleNames(ApiRoles roles) =>
        [.. Enum.GetValues<ApiRoles>().Where(r => r != ApiRoles.None && roles.HasFlag(r)).Select(r => r.ToString().ToLowerInvariant())];
}
