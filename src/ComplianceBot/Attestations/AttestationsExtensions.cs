using System.Globalization;
using ComplianceBot.Admin;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Help;
using ComplianceBot.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Attestations;

/// <summary>POST body: <paramref name="Delegate"/> may attest and upload for <paramref name="Person"/>'s tasks until the optional date.</summary>
public sealed record DelegationRequest(string? Person, string? Delegate, DateOnly? Until);

/// <summary>PATCH body: the delegation's new last day (null: open-ended).</summary>
public sealed record DelegationEndRequest(DateOnly? Until);

public sealed record DelegationItem(int Id, string Person, string Delegate, DateOnly? Until, DateTimeOffset CreatedAt, string CreatedBy);

public static class AttestationsExtensions
{
    public static IServiceCollection AddAttestations(this IServiceCollection services) =>
        services.AddScoped<Attestor>()
            .AddScoped<IFlow, AttestationFlow>()
            .AddSingleton<ITaskActions, AttestationTaskActions>()
            .AddSingleton(new HelpTopic(20, "attest", "confirm a control was performed (or record exceptions) for one of your tasks"));

    /// <summary>Delegations ("Julia may attest for Dana while she is away"), recorded by the compliance team.</summary>
    public static RouteGroupBuilder MapAttestationsAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/delegations").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        group.MapGet("/", ListAsync);
        group.MapPost("/", AddAsync);
        group.MapPatch("/{id:int}", EndAsync);
        group.MapDelete("/{id:int}", RevokeAsync);
        return group;
    }

    private static async Task<Ok<List<DelegationItem>>> ListAsync(ComplianceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Delegations.AsNoTracking().OrderBy(d => d.Id)
            .Select(d => new DelegationItem(d.Id, d.Person!.Email, d.Delegate!.Email, d.Until, d.CreatedAt, d.CreatedBy)).ToListAsync(cancellationToken));

    private static async Task<Results<Created<DelegationItem>, ProblemHttpResult>> AddAsync(
        DelegationRequest body, ComplianceDbContext db, AuditTrail audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var personEmail = body.Person is null ? null : People.EmailAddress.Normalize(body.Person);
        var delegateEmail = body.Delegate is null ? null : People.EmailAddress.Normalize(body.Delegate);
        var person = personEmail is null ? null : await db.People.SingleOrDefaultAsync(p => p.Email == personEmail, cancellationToken);
        var deputy = delegateEmail is null ? null : await db.People.SingleOrDefaultAsync(p => p.Email == delegateEmail, cancellationToken);
        if (person is null || deputy is null || person.Id == deputy.Id)
        {
            return TypedResults.Problem("Send {\"person\": \"<email>\", \"delegate\": \"<email>\", \"until\": \"2027-01-31\" (optional)} with two different people from the directory.", statusCode: StatusCodes.Status400BadRequest);
        }

        var now = clock.GetUtcNow();
        var delegation = new Delegation(body.Until) { PersonId = person.Id, DelegateId = deputy.Id, CreatedAt = now, CreatedBy = http.AdminActor() };
        db.Delegations.Add(delegation);
        audit.Record(http.AdminActor(), "delegation.recorded", $"person:{person.Id}", new()
        {
            ["person"] = person.Email,
            ["delegate"] = deputy.Email,
            ["until"] = body.Until?.ToString("O", CultureInfo.InvariantCulture),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return TypedResults.Problem($"{deputy.Email} is already a delegate of {person.Email}.", statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Created($"/api/admin/delegations/{delegation.Id}", new DelegationItem(delegation.Id, person.Email, deputy.Email, delegation.Until, now, delegation.CreatedBy));
    }

    /// <summary>PATCH /api/admin/delegations/{id} {"until": "2026-12-04"}: shortens (or extends) a delegation; audited with both dates.</summary>
    private static async Task<Results<Ok<DelegationItem>, ProblemHttpResult>> EndAsync(
        int id, DelegationEndRequest body, ComplianceDbContext db, AuditTrail audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var delegation = await db.Delegations.Include(d => d.Person).Include(d => d.Delegate).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delegation is null)
        {
            return TypedResults.Problem($"There is no delegation {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (body.Until is { } until && until < today)
        {
            return TypedResults.Problem($"\"until\" is the last day the delegate may act ({until:yyyy-MM-dd} is in the past); to end it now, DELETE it.", statusCode: StatusCodes.Status400BadRequest);
        }

        var previous = delegation.Until;
        delegation.EndOn(body.Until);
        audit.Record(http.AdminActor(), "delegation.changed", $"person:{delegation.PersonId}", new()
        {
            ["person"] = delegation.Person!.Email,
            ["delegate"] = delegation.Delegate!.Email,
            ["until"] = body.Until?.ToString("O", CultureInfo.InvariantCulture),
            ["previous_until"] = previous?.ToString("O", CultureInfo.InvariantCulture),
        });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new DelegationItem(delegation.Id, delegation.Person.Email, delegation.Delegate.Email, delegation.Until, delegation.CreatedAt, delegation.CreatedBy));
    }

    /// <summary>DELETE /api/admin/delegations/{id}: the delegate may no longer act from now on; audited (the row goes, the audit event stays).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(int id, ComplianceDbContext db, AuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        var delegation = await db.Delegations.Include(d => d.Person).Include(d => d.Delegate).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delegation is null)
        {
            return TypedResults.Problem($"There is no delegation {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        db.Delegations.Remove(delegation);
        audit.Record(http.AdminActor(), "delegation.revoked", $"person:{delegation.PersonId}", new()
        {
            ["person"] = delegation.Person!.Email,
            ["delegate"] = delegation.Delegate!.Email,
            ["until"] = delegation.Until?.ToString("O", CultureInfo.InvariantCulture),
        });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
