using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.People.Scim;

/// <summary>
/// SCIM 2.0 service provider (RFC 7643/7644) for Okta and Microsoft Entra provisioning: /scim/v2/Users plus the
/// discovery endpoints. People it creates or updates are the directory access reviews and reminders use.
/// </summary>
public static partial class ScimApi
{
    private const string Actor = "scim";

    public static IServiceCollection AddScim(this IServiceCollection services)
    {
        services.AddOptions<ScimOptions>().BindConfiguration("Scim");
        services.AddScoped<DirectoryWriter>();
        return services;
    }

    public static RouteGroupBuilder MapScim(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/scim/v2").RequireScimToken().WithTags("SCIM");
        group.MapGet("/Users", ListAsync);
        group.MapPost("/Users", CreateAsync);
        group.MapGet("/Users/{id}", GetAsync);
        group.MapPut("/Users/{id}", ReplaceAsync);
        group.MapPatch("/Users/{id}", PatchAsync);
        group.MapDelete("/Users/{id}", DeleteAsync);
        group.MapGet("/ServiceProviderConfig", (HttpContext http) => ScimDiscovery.ServiceProviderConfig(BaseUrl(http)));
        group.MapGet("/ResourceTypes", (HttpContext http) => ScimDiscovery.ResourceTypes(BaseUrl(http)));
        group.MapGet("/ResourceTypes/{id}", (string id, HttpContext http) => ScimDiscovery.ResourceType(id, BaseUrl(http)));
        group.MapGet("/Schemas", (HttpContext http) => ScimDiscovery.Schemas(BaseUrl(http)));
        group.MapGet("/Schemas/{id}", (string id, HttpContext http) => ScimDiscovery.Schema(id, BaseUrl(http)));
        return group;
    }

    /// <summary>
    /// The one place SCIM callers are authenticated: "Authorization: Bearer &lt;Scim:Token&gt;", compared in constant time.
    /// A per-person key scheme can replace this filter without touching the handlers.
    /// </summary>
    public static TBuilder RequireScimToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var configured = http.RequestServices.GetRequiredService<IOptionsMonitor<ScimOptions>>().CurrentValue.Token;
            var header = http.Request.Headers.Authorization.ToString();
            var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
            if (string.IsNullOrEmpty(configured) || presented.Length == 0 ||
                !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured))))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return ScimResult.Error(StatusCodes.Status401Unauthorized,
                    string.IsNullOrEmpty(configured) ? "SCIM provisioning is off: set Scim:Token and give the identity provider that token." : "A valid bearer token is required (Authorization: Bearer <Scim:Token>).");
            }

            return await next(context);
        });

    private static async Task<ScimResult> ListAsync(HttpContext http, ComplianceDbContext db, IOptions<ScimOptions> options, string? filter, int? startIndex, int? count, CancellationToken cancellationToken)
    {
        var query = db.People.AsNoTracking().Include(p => p.Manager).Where(p => p.Status != PersonStatus.Removed);
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (EqFilter().Match(filter) is not { Success: true } match)
            {
                return ScimResult.Error(400, $"Unsupported filter '{filter}': this service supports userName eq \"…\", externalId eq \"…\" and emails eq \"…\".", "invalidFilter");
            }

            var value = Regex.Unescape(match.Groups["value"].Value).Trim();
            var email = EmailAddress.Normalize(value);
            var lower = value.ToLowerInvariant();
            query = match.Groups["attr"].Value.ToLowerInvariant() switch
            {
                "username" => query.Where(p => p.Email == email || p.UserName == lower),
                "externalid" => query.Where(p => p.ExternalId == value),
                _ => query.Where(p => p.Email == email),
            };
        }

        var start = Math.Max(1, startIndex ?? 1);
        var take = Math.Clamp(count ?? options.Value.MaxResults, 0, options.Value.MaxResults);
        var total = await query.CountAsync(cancellationToken);
        // Same order whatever the page size (Okta pages with startIndex+100).
        var page = await query.OrderBy(p => p.Id).Skip(start - 1).Take(take).ToListAsync(cancellationToken);
        var baseUrl = BaseUrl(http);
        return new ScimResult(200, new JsonObject
        {
            ["schemas"] = new JsonArray(ScimSchemas.ListResponse),
            ["totalResults"] = total,
            ["startIndex"] = start,
            ["itemsPerPage"] = page.Count,
            ["Resources"] = new JsonArray([.. page.Select(p => (JsonNode)ScimUser.ToResource(p, baseUrl))]),
        });
    }

    private static async Task<ScimResult> GetAsync(string id, HttpContext http, ComplianceDbContext db, CancellationToken cancellationToken) =>
        await FindAsync(db, id, cancellationToken) is { } person
            ? new ScimResult(200, ScimUser.ToResource(person, BaseUrl(http)))
            : NotFound(id);

    private static async Task<ScimResult> CreateAsync(HttpContext http, ComplianceDbContext db, DirectoryWriter writer, CancellationToken cancellationToken)
    {
        if (await ReadBodyAsync(http, cancellationToken) is not (JsonObject body, null) )
        {
            return InvalidJson();
        }

        try
        {
            var fields = ScimUser.Read(body, before: null, replace: false);
            var existing = await writer.FindAsync(fields.Entry.Email, cancellationToken);
            if (existing is { Status: not PersonStatus.Removed })
            {
                // Okta and Entra look a user up by userName before creating; a 409 tells them to link instead.
                return ScimResult.Error(409, $"A user with userName '{fields.Entry.UserName ?? fields.Entry.Email}' already exists (id {existing.Id}).", "uniqueness");
            }

            var entry = fields.Entry with { Active = fields.Entry.Active ?? true, ManagerEmail = await ManagerEmailAsync(db, fields.ManagerValue, cancellationToken) };
            await writer.ApplyAsync(existing, entry, PersonSource.Scim, Actor, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            var created = await FindByEmailAsync(db, entry.Email, cancellationToken);
            var resource = ScimUser.ToResource(created!, BaseUrl(http));
            return new ScimResult(201, resource, resource["meta"]!["location"]!.GetValue<string>());
        }
        catch (ScimException ex)
        {
            return ScimResult.Error(400, ex.Message, ex.ScimType);
        }
    }

    private static Task<ScimResult> ReplaceAsync(string id, HttpContext http, ComplianceDbContext db, DirectoryWriter writer, CancellationToken cancellationToken) =>
        UpdateAsync(id, http, db, writer, (current, body) => ScimUser.Read(body, before: null, replace: true), cancellationToken);

    private static Task<ScimResult> PatchAsync(string id, HttpContext http, ComplianceDbContext db, DirectoryWriter writer, CancellationToken cancellationToken) =>
        UpdateAsync(id, http, db, writer, (current, body) =>
        {
            var resource = (JsonObject)current.DeepClone();
            ScimPatch.Apply(resource, body);
            return ScimUser.Read(resource, before: current, replace: false);
        }, cancellationToken);

    private static async Task<ScimResult> UpdateAsync(string id, HttpContext http, ComplianceDbContext db, DirectoryWriter writer, Func<JsonObject, JsonObject, ScimUserFields> read, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken) is not { } person)
        {
            return NotFound(id);
        }

        if (await ReadBodyAsync(http, cancellationToken) is not (JsonObject body, null))
        {
            return InvalidJson();
        }

        try
        {
            var baseUrl = BaseUrl(http);
            var fields = read(ScimUser.ToResource(person, baseUrl), body);
            if (fields.Entry.Email != person.Email && await writer.FindAsync(fields.Entry.Email, cancellationToken) is { } other && other.Id != person.Id)
            {
                return ScimResult.Error(409, $"Another user (id {other.Id}) already has the email '{fields.Entry.Email}'.", "uniqueness");
            }

            var entry = fields.Entry with
            {
                ManagerEmail = await ManagerEmailAsync(db, fields.ManagerValue, cancellationToken),
                ClearManager = fields.ManagerCleared,
            };
            await writer.ApplyAsync(person, entry, PersonSource.Scim, Actor, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return new ScimResult(200, ScimUser.ToResource(person, baseUrl));
        }
        catch (ScimException ex)
        {
            return ScimResult.Error(400, ex.Message, ex.ScimType);
        }
    }

    private static async Task<ScimResult> DeleteAsync(string id, ComplianceDbContext db, DirectoryWriter writer, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken) is not { } person)
        {
            return NotFound(id);
        }

        await writer.RemoveAsync(person, Actor, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return new ScimResult(204, null);
    }

    private static Task<Person?> FindAsync(ComplianceDbContext db, string id, CancellationToken cancellationToken) =>
        int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key)
            ? db.People.Include(p => p.Manager).SingleOrDefaultAsync(p => p.Id == key && p.Status != PersonStatus.Removed, cancellationToken)
            : Task.FromResult<Person?>(null);

    private static Task<Person?> FindByEmailAsync(ComplianceDbContext db, string email, CancellationToken cancellationToken) =>
        db.People.Include(p => p.Manager).SingleOrDefaultAsync(p => p.Email == email, cancellationToken);

    /// <summary>The enterprise manager's value is the manager's SCIM id (RFC 7643 section 4.3); an email is accepted too.</summary>
    private static async Task<string?> ManagerEmailAsync(ComplianceDbContext db, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var managerId))
        {
            return await db.People.Where(p => p.Id == managerId).Select(p => p.Email).SingleOrDefaultAsync(cancellationToken);
        }

        var email = EmailAddress.Normalize(value);
        var lower = value.Trim().ToLowerInvariant();
        return await db.People.Where(p => p.Email == email || p.ExternalId == value || p.UserName == lower)
            .OrderBy(p => p.Id).Select(p => p.Email).FirstOrDefaultAsync(cancellationToken);
    }

    private static async Task<(JsonNode? Body, string? Error)> ReadBodyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            return (await JsonNode.ParseAsync(http.Request.Body, cancellationToken: cancellationToken), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Message);
        }
    }

    private static ScimResult InvalidJson() => ScimResult.Error(400, "The body is not a JSON object (send the SCIM resource or PatchOp as JSON).", "invalidSyntax");

    private static ScimResult NotFound(string id) => ScimResult.Error(404, $"Resource {id} not found");

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/scim/v2";

    [GeneratedRegex("""^\s*(?<attr>userName|externalId|emails(?:\.value)?|emails\[type eq "work"\]\.value)\s+eq\s+"(?<value>(?:[^"\\]|\\.)*)"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex EqFilter();
}
