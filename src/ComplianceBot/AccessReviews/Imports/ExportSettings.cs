using System.Globalization;

namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// What the person importing says about the file: a profile to use instead of recognising one, the date order, and a
/// column mapping (our field → their column) for exports no profile knows.
/// </summary>
public sealed record ExportSettings(string? Profile = null, DateOrder DateOrder = DateOrder.Unstated, IReadOnlyDictionary<string, string>? Map = null)
{
    public static readonly ExportSettings None = new();

    /// <summary>Reads ?profile=, ?dateFormat= (dmy, mdy, or a pattern such as dd.MM.yyyy) and ?map=account_id=User Name,email=Mail.</summary>
    public static ExportSettings From(string? profile, string? dateFormat, string? map)
    {
        var order = (dateFormat ?? "").Trim().ToLowerInvariant() switch
        {
            "" => DateOrder.Unstated,
            "dmy" or "day-first" or "dd.mm.yyyy" or "dd/mm/yyyy" or "dd-mm-yyyy" or "d.m.yyyy" or "d/m/yyyy" => DateOrder.DayFirst,
            "mdy" or "month-first" or "mm/dd/yyyy" or "mm.dd.yyyy" or "mm-dd-yyyy" or "m/d/yyyy" => DateOrder.MonthFirst,
            _ => throw new FormatException($"dateFormat '{dateFormat}' is not known; use dmy (day first, 01.12.2026 is 1 December) or mdy (month first, 12/01/2026 is 1 December)."),
        };

        Dictionary<string, string>? columns = null;
        if (!string.IsNullOrWhiteSpace(map))
        {
            columns = new(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in map.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var field = equals > 0 ? pair[..equals].Trim().ToLowerInvariant() : "";
                var column = equals > 0 ? pair[(equals + 1)..].Trim() : "";
                if (!GenericAccounts.Fields.Contains(field) || column.Length == 0)
                {
                    throw new FormatException($"map entry '{pair}' is not field=column; fields are {string.Join(", ", GenericAccounts.Fields)}.");
                }

                columns[field] = column;
            }

            if (!columns.ContainsKey("account_id"))
            {
                throw new FormatException("map must name the column that holds the account id (account_id=…).");
            }
        }

        return new(string.IsNullOrWhiteSpace(profile) ? null : profile.Trim().ToLowerInvariant(), order, columns);
    }

    /// <summary>How the settings are recorded on the review, for the evidence; null when nothing was said.</summary>
    public string? Describe()
    {
        var parts = new List<string>();
        if (Profile is not null)
        {
            parts.Add($"profile={Profile}");
        }

        if (DateOrder != DateOrder.Unstated)
        {
            parts.Add($"dateFormat={(DateOrder == DateOrder.DayFirst ? "dmy" : "mdy")}");
        }

        if (Map is not null)
        {
            parts.Add("map=" + string.Join(",", Map.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key}={m.Value}"))));
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }
}
