using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComplianceBot.People.Scim;

/// <summary>What a SCIM user resource says, read leniently (string booleans, manager as id or {"value": id}).</summary>
public sealed record ScimUserFields(DirectoryEntry Entry, string? ManagerValue, bool ManagerCleared);

/// <summary>Maps a person to the SCIM User resource (core + enterprise extension + our dates) and back.</summary>
public static class ScimUser
{
    public static JsonObject ToResource(Person person, string baseUrl)
    {
        var (given, family) = SplitName(person.Name);
        var enterprise = new JsonObject();
        if (person.Department is not null)
        {
            enterprise["department"] = person.Department;
        }

        if (person.Manager is { } manager)
        {
            enterprise["manager"] = new JsonObject { ["value"] = Id(manager), ["displayName"] = manager.Name, ["$ref"] = $"{baseUrl}/Users/{Id(manager)}" };
        }

        var dates = new JsonObject();
        if (person.StartDate is { } start)
        {
            dates["startDate"] = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        if (person.EndDate is { } end)
        {
            dates["endDate"] = end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        var resource = new JsonObject
        {
            ["schemas"] = new JsonArray(ScimSchemas.User, ScimSchemas.EnterpriseUser, ScimSchemas.Employment),
            ["id"] = Id(person),
            ["userName"] = person.UserName ?? person.Email,
            ["name"] = new JsonObject { ["formatted"] = person.Name, ["givenName"] = given, ["familyName"] = family },
            ["displayName"] = person.Name,
            ["active"] = person.IsActive,
            ["userType"] = person.Employment.ToString(),
            ["emails"] = new JsonArray(new JsonObject { ["value"] = person.Email, ["type"] = "work", ["primary"] = true }),
            [ScimSchemas.EnterpriseUser] = enterprise,
            [ScimSchemas.Employment] = dates,
            ["meta"] = new JsonObject { ["resourceType"] = "User", ["location"] = $"{baseUrl}/Users/{Id(person)}" },
        };
        if (person.ExternalId is not null)
        {
            resource["externalId"] = person.ExternalId;
        }

        if (person.Title is not null)
        {
            resource["title"] = person.Title;
        }

        return resource;
    }

    public static string Id(Person person) => person.Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a resource. <paramref name="before"/> is the resource as it was (PATCH): the name then follows whichever
    /// of displayName, givenName/familyName or formatted the request changed.
    /// </summary>
    public static ScimUserFields Read(JsonObject resource, JsonObject? before, bool replace)
    {
        var userName = Text(resource, "userName");
        if (string.IsNullOrWhiteSpace(userName))
        {
            throw new ScimException("userName is required.", "invalidValue");
        }

        var emails = ScimPatch.Get(resource, "emails") as JsonArray ?? [];
        var email = emails.OfType<JsonObject>().OrderByDescending(e => Bool(ScimPatch.Get(e, "primary")) == true)
                .ThenByDescending(e => string.Equals(Text(e, "type"), "work", StringComparison.OrdinalIgnoreCase))
                .Select(e => Text(e, "value")).FirstOrDefault(EmailAddress.IsPlausible)
            ?? (EmailAddress.IsPlausible(userName) ? userName : null)
            ?? throw new ScimException($"Neither userName '{userName}' nor emails holds an email address; the directory needs one to reach the person in chat.", "invalidValue");

        var active = ScimPatch.Get(resource, "active") is { } activeNode
            ? Bool(activeNode) ?? throw new ScimException($"active must be true or false, not {activeNode.ToJsonString()}.", "invalidValue")
            : (bool?)null;
        var enterprise = ScimPatch.Get(resource, ScimSchemas.EnterpriseUser) as JsonObject;
        var dates = ScimPatch.Get(resource, ScimSchemas.Employment) as JsonObject;
        var managerNode = enterprise is null ? null : ScimPatch.Get(enterprise, "manager");
        var managerValue = managerNode switch
        {
            JsonObject m => Text(m, "value"),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => null,
        };
        var userType = Text(resource, "userType");
        var entry = new DirectoryEntry(EmailAddress.Normalize(email))
        {
            UserName = string.Equals(EmailAddress.Normalize(userName), EmailAddress.Normalize(email), StringComparison.Ordinal) ? null : userName.Trim().ToLowerInvariant(),
            Name = NameOf(resource, before) ?? email,
            // Absent means unchanged even on PUT: Okta sends only mapped attributes, and people.yaml may override these.
            Title = Text(resource, "title") ?? Cleared(resource, "title"),
            Department = enterprise is null ? null : Text(enterprise, "department") ?? Cleared(enterprise, "department"),
            Active = active ?? (replace ? true : null),
            Employment = userType is null ? null : string.Equals(userType, "contractor", StringComparison.OrdinalIgnoreCase) ? EmploymentType.Contractor : EmploymentType.Employee,
            StartDate = Date(dates, "startDate"),
            EndDate = Date(dates, "endDate"),
            ExternalId = Text(resource, "externalId"),
        };
        var hadManager = before is not null && ScimPatch.Get(before, ScimSchemas.EnterpriseUser) is JsonObject old && ScimPatch.Get(old, "manager") is not null;
        var managerCleared = string.IsNullOrWhiteSpace(managerValue) && (hadManager || (enterprise is not null && Cleared(enterprise, "manager") is not null));
        return new ScimUserFields(entry, string.IsNullOrWhiteSpace(managerValue) ? null : managerValue.Trim(), managerCleared);
    }

    private static string? NameOf(JsonObject resource, JsonObject? before)
    {
        var name = ScimPatch.Get(resource, "name") as JsonObject;
        var oldName = before is null ? null : ScimPatch.Get(before, "name") as JsonObject;
        var display = Text(resource, "displayName");
        var formatted = name is null ? null : Text(name, "formatted");
        var parts = name is null ? null : string.Join(' ', new[] { Text(name, "givenName"), Text(name, "familyName") }.Where(p => !string.IsNullOrWhiteSpace(p))).Trim();
        if (before is not null)
        {
            var oldParts = oldName is null ? null : string.Join(' ', new[] { Text(oldName, "givenName"), Text(oldName, "familyName") }.Where(p => !string.IsNullOrWhiteSpace(p))).Trim();
            if (display is not null && display != Text(before, "displayName"))
            {
                return display;
            }

            if (!string.IsNullOrEmpty(parts) && parts != oldParts)
            {
                return parts;
            }

            if (formatted is not null && formatted != (oldName is null ? null : Text(oldName, "formatted")))
            {
                return formatted;
            }
        }

        return new[] { display, string.IsNullOrEmpty(parts) ? null : parts, formatted }.FirstOrDefault(n => !string.IsNullOrWhiteSpace(n))?.Trim();
    }

    /// <summary>"" when the attribute is present but null or empty (an explicit clear), else null (not provided).</summary>
    private static string? Cleared(JsonObject obj, string name)
    {
        if (!obj.Any(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return ScimPatch.Get(obj, name) switch
        {
            null => "",
            JsonValue value when value.ToString().Trim().Length == 0 => "",
            _ => null,
        };
    }

    private static (string Given, string Family) SplitName(string name)
    {
        var space = name.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (name, "") : (name[..space], name[(space + 1)..]);
    }

    private static string? Text(JsonObject obj, string name) =>
        ScimPatch.Get(obj, name) is JsonValue value && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number ? value.ToString().Trim() : null;

    /// <summary>true/false, or Entra's "True"/"False" strings.</summary>
    private static bool? Bool(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && bool.TryParse(v.GetValue<string>().Trim(), out var parsed) => parsed,
        _ => null,
    };

    private static DateOnly? Date(JsonObject? obj, string name)
    {
        if (obj is null || Text(obj, name) is not { Length: > 0 } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? DateOnly.FromDateTime(at.UtcDateTime)
            : throw new ScimException($"{name} '{text}' is not a date; send YYYY-MM-DD or an ISO 8601 date-time.", "invalidValue");
    }
}
