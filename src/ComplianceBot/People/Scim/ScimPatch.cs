using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ComplianceBot.People.Scim;

/// <summary>Why a SCIM request could not be applied; answered as a SCIM 400 with its scimType.</summary>
public sealed class ScimException(string message, string scimType) : Exception(message)
{
    public string ScimType => scimType;
}

/// <summary>
/// Applies RFC 7644 section 3.5.2 operations to a user resource held as JSON, in the shapes the identity providers
/// really send: Entra's capitalised "Replace" and string "False", path-less value objects with dotted or URN-qualified
/// keys (Okta's {"op":"replace","value":{"active":false}}), and value filters such as emails[type eq "work"].value.
/// Attribute names compare case-insensitively (RFC 7643 section 2.1).
/// </summary>
public static partial class ScimPatch
{
    private static readonly string[] SchemaPrefixes = [ScimSchemas.EnterpriseUser, ScimSchemas.Employment, ScimSchemas.User];

    public static void Apply(JsonObject resource, JsonNode? body)
    {
        if (body is not JsonObject request || Get(request, "Operations") is not JsonArray operations || operations.Count == 0)
        {
            throw new ScimException("A PATCH needs an \"Operations\" array with at least one operation.", "invalidSyntax");
        }

        foreach (var node in operations)
        {
            if (node is not JsonObject operation || Get(operation, "op") is not JsonValue opValue || opValue.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                throw new ScimException("Each operation needs an \"op\" of add, replace or remove.", "invalidSyntax");
            }

            var op = opValue.GetValue<string>().ToLowerInvariant();
            var path = (Get(operation, "path") as JsonValue)?.ToString();
            var value = Get(operation, "value");
            switch (op)
            {
                case "add" or "replace" when string.IsNullOrWhiteSpace(path):
                    if (value is not JsonObject values)
                    {
                        throw new ScimException($"An \"{op}\" without a path needs an object of attributes as its value.", "invalidValue");
                    }

                    foreach (var (key, item) in values)
                    {
                        SetPath(resource, key, item?.DeepClone(), merge: true);
                    }

                    break;
                case "add" or "replace":
                    SetPath(resource, path!, value?.DeepClone(), merge: op == "add");
                    break;
                case "remove" when !string.IsNullOrWhiteSpace(path):
                    RemovePath(resource, path!);
                    break;
                case "remove":
                    throw new ScimException("A \"remove\" needs a path.", "noTarget");
                default:
                    throw new ScimException($"Unknown op \"{opValue}\"; use add, replace or remove.", "invalidSyntax");
            }
        }
    }

    /// <summary>Reads a member by name, ignoring case.</summary>
    public static JsonNode? Get(JsonObject obj, string name)
    {
        foreach (var (key, value) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static void Put(JsonObject obj, string name, JsonNode? value)
    {
        var existing = obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        if (existing is not null)
        {
            obj.Remove(existing);
        }

        obj[existing ?? name] = value;
    }

    private static void Delete(JsonObject obj, string name)
    {
        if (obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) is { } existing)
        {
            obj.Remove(existing);
        }
    }

    /// <summary>Splits "urn:...:User:manager.value" into the object that holds it and the rest of the path.</summary>
    private static (JsonObject Container, string Remainder) Locate(JsonObject resource, string path, bool create)
    {
        foreach (var schema in SchemaPrefixes)
        {
            if (string.Equals(path, schema, StringComparison.OrdinalIgnoreCase))
            {
                return (resource, schema);
            }

            if (path.Length > schema.Length + 1 && path.StartsWith(schema + ":", StringComparison.OrdinalIgnoreCase))
            {
                var rest = path[(schema.Length + 1)..];
                if (schema == ScimSchemas.User)
                {
                    return (resource, rest);
                }

                if (Get(resource, schema) is JsonObject extension)
                {
                    return (extension, rest);
                }

                var created = new JsonObject();
                if (create)
                {
                    Put(resource, schema, created);
                }

                return (created, rest);
            }
        }

        if (path.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ScimException($"The path \"{path}\" names a schema this service does not support.", "invalidPath");
        }

        return (resource, path);
    }

    private static void SetPath(JsonObject resource, string path, JsonNode? value, bool merge)
    {
        var (container, rest) = Locate(resource, path, create: true);
        if (rest.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            // The whole extension object, e.g. {"urn:...:enterprise:2.0:User": {"department": "Sales"}}.
            if (value is not JsonObject values)
            {
                throw new ScimException($"The value for \"{rest}\" must be an object.", "invalidValue");
            }

            var (extension, _) = Locate(resource, rest + ":x", create: true);
            foreach (var (key, item) in values)
            {
                Put(extension, key, item?.DeepClone());
            }

            return;
        }

        if (FilterPath().Match(rest) is { Success: true } filtered)
        {
            SetFiltered(container, filtered, value);
            return;
        }

        var parts = rest.Split('.', 2);
        if (parts.Length == 2)
        {
            if (Get(container, parts[0]) is not JsonObject complex)
            {
                complex = new JsonObject();
                Put(container, parts[0], complex);
            }

            Put(complex, parts[1], value);
            return;
        }

        if (merge && value is JsonObject incoming && Get(container, rest) is JsonObject current)
        {
            foreach (var (key, item) in incoming)
            {
                Put(current, key, item?.DeepClone());
            }

            return;
        }

        Put(container, rest, value);
    }

    private static void SetFiltered(JsonObject container, Match filtered, JsonNode? value)
    {
        var (attribute, filterAttribute, filterValue, sub) = (filtered.Groups["attr"].Value, filtered.Groups["fattr"].Value, Regex.Unescape(filtered.Groups["fvalue"].Value), filtered.Groups["sub"].Value);
        if (Get(container, attribute) is not JsonArray items)
        {
            items = [];
            Put(container, attribute, items);
        }

        var target = items.OfType<JsonObject>().FirstOrDefault(i => string.Equals((Get(i, filterAttribute) as JsonValue)?.ToString(), filterValue, StringComparison.OrdinalIgnoreCase));
        if (target is null)
        {
            target = new JsonObject { [filterAttribute] = filterValue };
            items.Add(target);
        }

        if (sub.Length == 0)
        {
            if (value is JsonObject values)
            {
                foreach (var (key, item) in values)
                {
                    Put(target, key, item?.DeepClone());
                }
            }

            return;
        }

        Put(target, sub, value);
    }

    private static void RemovePath(JsonObject resource, string path)
    {
        var (container, rest) = Locate(resource, path, create: false);
        if (FilterPath().Match(rest) is { Success: true } filtered)
        {
            if (Get(container, filtered.Groups["attr"].Value) is JsonArray items)
            {
                var filterValue = Regex.Unescape(filtered.Groups["fvalue"].Value);
                foreach (var item in items.OfType<JsonObject>().Where(i => string.Equals((Get(i, filtered.Groups["fattr"].Value) as JsonValue)?.ToString(), filterValue, StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    if (filtered.Groups["sub"].Value is { Length: > 0 } sub)
                    {
                        Delete(item, sub);
                    }
                    else
                    {
                        items.Remove(item);
                    }
                }
            }

            return;
        }

        var parts = rest.Split('.', 2);
        if (parts.Length == 2)
        {
            if (Get(container, parts[0]) is JsonObject complex)
            {
                Delete(complex, parts[1]);
            }

            return;
        }

        Delete(container, rest);
    }

    [GeneratedRegex("""^(?<attr>[A-Za-z][\w$-]*)\[\s*(?<fattr>[A-Za-z][\w$-]*)\s+eq\s+"(?<fvalue>(?:[^"\\]|\\.)*)"\s*\](?:\.(?<sub>[A-Za-z][\w$-]*))?$""", RegexOptions.IgnoreCase)]
    private static partial Regex FilterPath();
}
