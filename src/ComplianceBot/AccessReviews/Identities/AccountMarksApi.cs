using ComplianceBot.Admin;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews.Identities;

public sealed record AccountAliasRequest(string? System, string? AccountId, string? Person);

public sealed record AccountMarkRequest(string? System, string? AccountId, string? Kind, string? Owner, string? Note);

public sealed record AccountMarksList(IReadOnlyList<AccountAliasDto> Aliases, IReadOnlyList<AccountMarkDto> Marks);

/// <summary>Admin endpoints for the alias table and account marks, under the access-review admin group.</summary>
public static class AccountMarksApi
{
    public static RouteGroupBuilder MapAccountMarks(this RouteGroupBuilder group)
    {
        group.MapGet("/accounts", ListAsync);
        group.MapPut("/accounts/alias", SetAliasAsync);
        group.MapPut("/accounts/mark", MarkAsync);
        group.MapDelete("/accounts", ForgetAsync);
        return group;
    }

    private static async Task<Ok<AccountMarksList>> ListAsync(string? system, AccountMarks marks, CancellationToken cancellationToken)
    {
        var (aliases, marked) = await marks.ListAsync(system, cancellationToken);
        return TypedResults.Ok(new AccountMarksList(aliases, marked));
    }

    /// <summary>"This account is Priya": body {system, accountId, person (email)}.</summary>
    private static async Task<Results<Ok<AccountAliasDto>, ProblemHttpResult>> SetAliasAsync(
        AccountAliasRequest body, HttpContext context, AccountMarks marks, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        if (await FindPersonAsync(db, body.Person, cancellationToken) is not { } person)
        {
            return TypedResults.Problem($"person '{body.Person}' is not in the people directory; give their email.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            return TypedResults.Ok(await marks.SetAliasAsync(body.System ?? "", body.AccountId ?? "", person, context.AdminActor(), cancellationToken));
        }
        catch (AccessReviewRuleException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>Marks an account: body {system, accountId, kind (service account, external, shared, not a person), owner (email), note}.</summary>
    private static async Task<Results<Ok<AccountMarkDto>, ProblemHttpResult>> MarkAsync(
        AccountMarkRequest body, HttpContext context, AccountMarks marks, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        if (!AccountMarks.TryParseKind(body.Kind, out var kind))
        {
            return TypedResults.Problem($"kind '{body.Kind}' is not one of: service account, external, shared, not a person.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (await FindPersonAsync(db, body.Owner, cancellationToken) is not { } owner)
        {
            return TypedResults.Problem($"owner '{body.Owner}' is not in the people directory; every marked account needs an owner (their email).", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            return TypedResults.Ok(await marks.MarkAsync(body.System ?? "", body.AccountId ?? "", kind, owner, body.Note, context.AdminActor(), cancellationToken));
        }
        catch (AccessReviewRuleException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ForgetAsync(string? system, string? accountId, HttpContext context, AccountMarks marks, CancellationToken cancellationToken)
    {
        try
        {
            return await marks.ForgetAsync(system ?? "", accountId ?? "", context.AdminActor(), cancellationToken)
                ? TypedResults.NoContent()
                : TypedResults.Problem($"{accountId} has no alias or mark in {system}.", statusCode: StatusCodes.Status404NotFound);
        }
        catch (AccessReviewRuleException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<Person?> FindPersonAsync(ComplianceDbContext db, string? email, CancellationToken cancellationToken)
    {
        if (!EmailAddress.IsPlausible(email?.Trim()))
        {
            return null;
        }

        var normalized = EmailAddress.Normalize(email!);
        return await db.People.SingleOrDefaultAsync(p => p.Email == normalized, cancellationToken);
    }
}
