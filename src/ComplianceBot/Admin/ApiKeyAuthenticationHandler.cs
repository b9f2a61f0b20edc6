using System.Security.Claims;
using System.Text.Encodings.Web;
using ComplianceBot.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Admin;

/// <summary>
/// "Authorization: Bearer &lt;key&gt;": a per-person key from the database (roles cut to what the person still holds in
/// the directory) or one of the <see cref="ConfiguredKeys"/>. Challenges and refusals answer with ProblemDetails.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ComplianceDbContext db, ConfiguredKeys configured, FailedKeyAttempts failures, TimeProvider clock, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ActorClaim = "compliancebot:actor";
    private const string RateLimitedItem = "compliancebot:key-rate-limited";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header[7..].Trim() is not { Length: > 0 } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var client = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (failures.IsLockedOut(client))
        {
            failures.RecordRefused(client);
            Context.Items[RateLimitedItem] = true;
            return AuthenticateResult.Fail("Too many wrong API keys from this client.");
        }

        if (configured.Match(presented) is { } key)
        {
            Logger.LogInformation("{Setting} used for {Method} {Path}", key.Setting, Request.Method, Request.Path);
            return Success(key.Actor, null, key.Roles);
        }

        var hash = ApiKey.HashOf(presented);
        var stored = presented.StartsWith(ApiKey.KeyPrefix, StringComparison.Ordinal)
            ? await db.Set<ApiKey>().AsNoTracking().Include(k => k.Person).SingleOrDefaultAsync(k => k.Sha256 == hash, Context.RequestAborted)
            : null;
        if (stored?.Person is not { } person || !stored.IsUsableAt(clock.GetUtcNow()))
        {
            failures.RecordFailure(client);
            return AuthenticateResult.Fail("Unknown, revoked or expired API key.");
        }

        var roles = stored.Roles & ApiKey.AllowedFor(person);
        return Success($"{person.Email} (api key {stored.Id})", person.Email,
            [.. Enum.GetValues<ApiRoles>().Where(r => r != ApiRoles.None && roles.HasFlag(r)).Select(r => r.ToString().ToLowerInvariant())]);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(RateLimitedItem))
        {
            Response.Headers.RetryAfter = "60";
            await WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many wrong API keys",
                "This client presented too many wrong API keys in the last minute; every key is refused until the minute is over.");
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "A valid API key is required",
            "Send Authorization: Bearer <key> with a per-person key (POST /api/admin/keys) or a configured key. When no key is configured this API is closed.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "This key does not have the role for this endpoint",
            $"Key of {Context.User.FindFirstValue(ActorClaim)} with roles [{string.Join(", ", Context.User.FindAll(ClaimTypes.Role).Select(c => c.Value))}]; " +
            "admin routes need the admin role, read-only audit routes auditor or admin, /api/changes integration or admin.");

    private Task<bool> WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    private static AuthenticateResult Success(string actor, string? email, string[] roles)
    {
        List<Claim> claims = [new(ClaimTypes.Name, actor), new(ActorClaim, actor), .. roles.Select(r => new Claim(ClaimTypes.Role, r))];
        if (email is not null)
        {
            claims.Add(new Claim(ClaimTypes.Email, email));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
