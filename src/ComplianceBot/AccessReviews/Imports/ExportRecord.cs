using System.Text.Json;
using ComplianceBot.People;

namespace ComplianceBot.AccessReviews.Imports;

/// <summary>A row problem that names the column; the importer prefixes the line.</summary>
public sealed class ExportRowException(string message) : Exception(message);

/// <summary>One data row of an export, read by column name (case-insensitive; a column may be known by several names).</summary>
public sealed class ExportRecord(int line, IReadOnlyDictionary<string, int> columns, IReadOnlyList<string> fields, DateOrder dateOrder)
{
    public int Line => line;

    /// <summary>The first of the names that is a column of the file, or null.</summary>
    public string? Column(params string[] names) => names.FirstOrDefault(columns.ContainsKey);

    public bool Has(params string[] names) => Column(names) is not null;

    /// <summary>The trimmed value of the first named column present; empty when none is.</summary>
    public string Get(params string[] names) => Column(names) is { } name ? fields[columns[name]].Trim() : "";

    /// <summary>The value, which must not be empty.</summary>
    public string Required(params string[] names)
    {
        var value = Get(names);
        return value.Length > 0 ? value : throw new ExportRowException($"{Column(names) ?? names[0]} is empty");
    }

    public DateTimeOffset? Date(params string[] names)
    {
        var name = Column(names);
        if (name is null)
        {
            return null;
        }

        return ExportDates.TryRead(fields[columns[name]], dateOrder, out var value, out var problem)
            ? value
            : throw new ExportRowException($"{name} {problem}");
    }

    /// <summary>The latest of several activity columns, with the column it came from.</summary>
    public (DateTimeOffset? At, string? Source) Latest(params string[] names)
    {
        (DateTimeOffset? At, string? Source) latest = (null, null);
        foreach (var name in names.Where(columns.ContainsKey))
        {
            if (Date(name) is { } at && (latest.At is null || at > latest.At))
            {
                latest = (at, name);
            }
        }

        return latest;
    }

    /// <summary>true/false/yes/no/enabled…; null when empty or the column is absent.</summary>
    public bool? Flag(params string[] names)
    {
        var value = Get(names);
        return value.ToLowerInvariant() switch
        {
            "" or "n/a" or "not_supported" or "no_information" => null,
            "true" or "yes" or "y" or "1" or "enabled" or "on" or "active" => true,
            "false" or "no" or "n" or "0" or "disabled" or "off" or "inactive" => false,
            _ => throw new ExportRowException($"{Column(names)} '{value}' is not true or false"),
        };
    }

    /// <summary>A list written in one cell: separated by semicolons, pipes, commas or line breaks.</summary>
    public IReadOnlyList<string> List(params string[] names) =>
        [.. Get(names).Split([';', '|', ',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The email in the column when it looks like one, normalised; else empty.</summary>
    public string Email(params string[] names)
    {
        var value = Get(names);
        return EmailAddress.IsPlausible(value) ? EmailAddress.Normalize(value) : "";
    }

    /// <summary>Every column not in <paramref name="known"/>, lower-cased, as a JSON object: a generic file's extra entitlements.</summary>
    public string Others(IReadOnlySet<string> known) =>
        JsonSerializer.Serialize(columns.Where(c => !known.Contains(c.Key) && c.Key.Length > 0).OrderBy(c => c.Value)
            .ToDictionary(c => c.Key.ToLowerInvariant(), c => fields[c.Value]));

    /// <summary>The named columns that are present, as the JSON object kept with the account for the report.</summary>
    public string Json(IEnumerable<string> names) =>
        JsonSerializer.Serialize(names.Where(columns.ContainsKey).ToDictionary(n => n, n => fields[columns[n]].Trim()));
}
