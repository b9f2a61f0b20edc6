using System.Text.Json.Nodes;

namespace ComplianceBot.People.Scim;

/// <summary>RFC 7644 section 4 discovery: what this service provider supports, so identity providers configure themselves.</summary>
public static class ScimDiscovery
{
    public static ScimResult ServiceProviderConfig(string baseUrl) => new(200, new JsonObject
    {
        ["schemas"] = new JsonArray(ScimSchemas.ServiceProviderConfig),
        ["documentationUri"] = "https://datatracker.ietf.org/doc/html/rfc7644",
        ["patch"] = new JsonObject { ["supported"] = true },
        ["bulk"] = new JsonObject { ["supported"] = false, ["maxOperations"] = 0, ["maxPayloadSize"] = 0 },
        ["filter"] = new JsonObject { ["supported"] = true, ["maxResults"] = 200 },
        ["changePassword"] = new JsonObject { ["supported"] = false },
        ["sort"] = new JsonObject { ["supported"] = false },
        ["etag"] = new JsonObject { ["supported"] = false },
        ["authenticationSchemes"] = new JsonArray(new JsonObject
        {
            ["type"] = "oauthbearertoken",
            ["name"] = "Bearer token",
            ["description"] = "Authorization: Bearer <Scim:Token>",
            ["primary"] = true,
        }),
        ["meta"] = new JsonObject { ["resourceType"] = "ServiceProviderConfig", ["location"] = $"{baseUrl}/ServiceProviderConfig" },
    });

    public static ScimResult ResourceTypes(string baseUrl) => List([UserType(baseUrl)]);

    public static ScimResult ResourceType(string id, string baseUrl) =>
        string.Equals(id, "User", StringComparison.OrdinalIgnoreCase) ? new(200, UserType(baseUrl)) : ScimResult.Error(404, $"Resource type {id} not found");

    public static ScimResult Schemas(string baseUrl) => List([.. AllSchemas(baseUrl)]);

    public static ScimResult Schema(string id, string baseUrl) =>
        AllSchemas(baseUrl).FirstOrDefault(s => string.Equals(s["id"]!.GetValue<string>(), id, StringComparison.OrdinalIgnoreCase)) is { } schema
            ? new(200, schema)
            : ScimResult.Error(404, $"Schema {id} not found");

    private static ScimResult List(IReadOnlyList<JsonObject> resources) => new(200, new JsonObject
    {
        ["schemas"] = new JsonArray(ScimSchemas.ListResponse),
        ["totalResults"] = resources.Count,
        ["startIndex"] = 1,
        ["itemsPerPage"] = resources.Count,
        ["Resources"] = new JsonArray([.. resources]),
    });

    private static JsonObject UserType(string baseUrl) => new()
    {
        ["schemas"] = new JsonArray(ScimSchemas.ResourceType),
        ["id"] = "User",
        ["name"] = "User",
        ["endpoint"] = "/Users",
        ["description"] = "A person in the compliance directory",
        ["schema"] = ScimSchemas.User,
        ["schemaExtensions"] = new JsonArray(
            new JsonObject { ["schema"] = ScimSchemas.EnterpriseUser, ["required"] = false },
            new JsonObject { ["schema"] = ScimSchemas.Employment, ["required"] = false }),
        ["meta"] = new JsonObject { ["resourceType"] = "ResourceType", ["location"] = $"{baseUrl}/ResourceTypes/User" },
    };

    private static IEnumerable<JsonObject> AllSchemas(string baseUrl)
    {
        yield return SchemaOf(baseUrl, ScimSchemas.User, "User", "User Account",
            Attribute("userName", "Login name, usually the work email; unique.", required: true, uniqueness: "server"),
            Complex("name", "The person's name.", Attribute("formatted", "Full name"), Attribute("givenName", "Given name"), Attribute("familyName", "Family name")),
            Attribute("displayName", "Name shown in chat"),
            Attribute("title", "Job title"),
            Attribute("userType", "Employee or Contractor"),
            Attribute("active", "false when the person has left", type: "boolean"),
            Attribute("externalId", "The identity provider's id", caseExact: true),
            Complex("emails", "Email addresses; the primary or work one reaches the person in chat.", multiValued: true,
                Attribute("value", "Address"), Attribute("type", "work"), Attribute("primary", "Primary address", type: "boolean")));
        yield return SchemaOf(baseUrl, ScimSchemas.EnterpriseUser, "EnterpriseUser", "Enterprise User",
            Attribute("department", "Department"),
            Complex("manager", "The person's manager", Attribute("value", "The manager's id"), Attribute("displayName", "The manager's name", mutability: "readOnly")));
        yield return SchemaOf(baseUrl, ScimSchemas.Employment, "Employment", "Start and end of employment",
            Attribute("startDate", "First day (YYYY-MM-DD)", type: "dateTime"),
            Attribute("endDate", "Last day (YYYY-MM-DD); set when active becomes false", type: "dateTime"));
    }

    private static JsonObject SchemaOf(string baseUrl, string id, string name, string description, params JsonObject[] attributes) => new()
    {
        ["schemas"] = new JsonArray(ScimSchemas.Schema),
        ["id"] = id,
        ["name"] = name,
        ["description"] = description,
        ["attributes"] = new JsonArray([.. attributes]),
        ["meta"] = new JsonObject { ["resourceType"] = "Schema", ["location"] = $"{baseUrl}/Schemas/{id}" },
    };

    private static JsonObject Attribute(string name, string description, string type = "string", bool required = false, string uniqueness = "none", bool caseExact = false, string mutability = "readWrite") => new()
    {
        ["name"] = name,
        ["type"] = type,
        ["multiValued"] = false,
        ["description"] = description,
        ["required"] = required,
        ["caseExact"] = caseExact,
        ["mutability"] = mutability,
        ["returned"] = "default",
        ["uniqueness"] = uniqueness,
    };

    private static JsonObject Complex(string name, string description, params JsonObject[] subAttributes) => Complex(name, description, false, subAttributes);

    private static JsonObject Complex(string name, string description, bool multiValued, params JsonObject[] subAttributes)
    {
        var attribute = Attribute(name, description, type: "complex");
        attribute["multiValued"] = multiValued;
        attribute["subAttributes"] = new JsonArray([.. subAttributes]);
        return attribute;
    }
}
