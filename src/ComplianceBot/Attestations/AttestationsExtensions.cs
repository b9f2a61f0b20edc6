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
        return group;
    }

    private static async Task<Ok<List<DelegationItem>>> ListAsync(ComplianceDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Delegations.AsNoTracking().OrderBy(d => d.Id)
            .Select(d => new DelegationItem(d.Id, d.Person!.Email, d.Delegate!.Email, d.Until, d.CreatedAt, d.CreatedBy)).ToListAsync(cancellationToken));

    private static async Task<Results<Created<DelegationItem>, ProblemHttpResult>> AddAsync(
        DelegationRequest body, ComplianceDbContext db, AuditTrail audit, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var personEmail = body.Person?.Trim().ToLowerInvariant();
        var delegateEmail = body.Delegate?.Trim().ToLowerInvariant();
        var person = personEmail is null ? null : await db.People.SingleOrDefaultAsync(p => p.Email == personEmail, cancellationToken);
        var deputy = delegateEmail is null ? null : await db.People.SingleOrDefaultAsync(p => p.Email == delegateEmail, cancellationToken);
        if (person is null || deputy is null || person.Id == deputy.Id)
        {
            return TypedResults.Problem("Send {\"person\": \"<email>\", \"delegate\": \"<email>\", \"until\": \"2027-01-31\" (optional)} with two different people from the directory.", statusCode: StatusCodes.Status400BadRequest);
        }

        var now = clock.GetUtcNow();
        var delegation = new Delegation { PersonId = person.Id, DelegateId = deputy.Id, Until = body.Until, CreatedAt = now, CreatedBy = http.AdminActor() };
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
}
