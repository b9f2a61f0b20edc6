using System.Text.Json.Nodes;

namespace ComplianceBot.People.Scim;

/// <summary>
/// A SCIM response: JSON as application/scim+json (RFC 7644 section 3.1), which TypedResults cannot set for a JSON body.
/// Errors carry the SCIM error schema, status as a string and an optional scimType.
/// </summary>
public sealed class ScimResult(int status, JsonNode? body, string? location = null) : IResult
{
    public int Status => status;

    public JsonNode? Body => body;

    public static ScimResult Error(int status, string detail, string? scimType = null)
    {
        var error = new JsonObject { ["schemas"] = new JsonArray(ScimSchemas.Error), ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture), ["detail"] = detail };
        if (scimType is not null)
        {
            error["scimType"] = scimType;
        }

        return new ScimResult(status, error);
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        if (location is not null)
        {
            httpContext.Response.Headers.Location = location;
        }

        if (body is not null)
        {
            httpContext.Response.ContentType = ScimSchemas.ContentType;
            await httpContext.Response.WriteAsync(body.ToJsonString(), httpContext.RequestAborted);
        }
    }
}
