namespace ComplianceBot.AccessReviews.Imports;

/// <summary>The accounts of an export and the profile that read them, or the problems that stop it being imported (each naming its line).</summary>
public sealed record AccountExportResult(ImportProfile? Profile, IReadOnlyList<AccountRow> Rows, IReadOnlyList<string> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Reads an account export of any known kind: recognises the profile by its header (or uses the one named, or the
/// column mapping), maps every row, and returns either every account or every broken line — never part of a file.
/// </summary>
public static class AccountExport
{
    /// <summary>Vendor profiles first: generic is the fallback, and its columns never appear in a vendor file.</summary>
    public static readonly IReadOnlyList<ImportProfile> Profiles =
    [
        AwsCredentialReport.Profile, GitHubOrgMembers.Profile, OktaUsers.Profile, EntraUsers.Profile, GoogleWorkspaceUsers.Profile, GenericAccounts.Profile,
    ];

    public const int MaxFieldLength = 256;

    /// <summary>Broken lines listed before the rest are only counted: enough to fix a file without a 20,000-line message.</summary>
    public const int MaxListedErrors = 50;

    public static AccountExportResult Parse(string text, ExportSettings settings)
    {
        var errors = new List<string>();
        var records = AccountCsv.ReadRecords(text, errors);
        if (errors.Count > 0)
        {
            return new(null, [], errors);
        }

        if (records.Count == 0)
        {
            return new(null, [], ["The CSV is empty: expected a header line."]);
        }

        var (headerLine, header) = records[0];
        var names = header.Select(h => h.Trim()).ToArray();
        var duplicate = names.Where(n => n.Length > 0).GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            return new(null, [], [$"Line {headerLine}: the column '{duplicate.Key.ToLowerInvariant()}' appears twice in the header."]);
        }

        var columns = names.Select((n, i) => (n, i)).Where(c => c.n.Length > 0).ToDictionary(c => c.n, c => c.i, StringComparer.OrdinalIgnoreCase);
        var present = columns.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var (profile, problem) = Choose(present, settings, headerLine, names);
        if (profile is null)
        {
            return new(null, [], [problem!]);
        }

        var rows = new List<AccountRow>(records.Count - 1);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var broken = 0;
        void Fail(string message)
        {
            broken++;
            if (errors.Count < MaxListedErrors)
            {
                errors.Add(message);
            }
        }

        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Count != names.Length)
            {
                Fail($"Line {line}: {fields.Count} field{(fields.Count == 1 ? "" : "s")} where the header has {names.Length}.");
                continue;
            }

            AccountRow row;
            try
            {
                row = profile.Read(new ExportRecord(line, columns, fields, settings.DateOrder));
            }
            catch (ExportRowException ex)
            {
                Fail($"Line {line}: {ex.Message}.");
                continue;
            }

            if (seen.TryGetValue(row.AccountId, out var firstLine))
            {
                Fail($"Line {line}: duplicate account '{Shorten(row.AccountId)}' (already on line {firstLine}).");
                continue;
            }

            seen[row.AccountId] = line;
            var tooLong = new[] { ("account id", row.AccountId), ("display name", row.DisplayName), ("email", row.Email), ("role", row.Role) }
                .FirstOrDefault(f => f.Item2.Length > MaxFieldLength);
            if (tooLong.Item2 is not null)
            {
                Fail($"Line {line}: the {tooLong.Item1} is longer than {MaxFieldLength} characters.");
                continue;
            }

            rows.Add(row);
        }

        if (broken > errors.Count)
        {
            errors.Add($"… and {broken - errors.Count} more broken line{(broken - errors.Count == 1 ? "" : "s")}.");
        }

        if (errors.Count == 0 && rows.Count == 0)
        {
            errors.Add("The CSV has a header but no accounts.");
        }

        return errors.Count > 0 ? new(profile, [], errors) : new(profile, rows, []);
    }

    /// <summary>The profile for this header, or the message naming the closest profile and what it lacks.</summary>
    private static (ImportProfile? Profile, string? Problem) Choose(IReadOnlySet<string> present, ExportSettings settings, int headerLine, string[] names)
    {
        if (settings.Map is not null)
        {
            var mapped = GenericAccounts.Create(settings.Map);
            var missing = mapped.Missing(present);
            return missing.Count == 0 ? (mapped, null)
                : (null, $"Line {headerLine}: the column mapping names column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} that the header does not have (found: {string.Join(", ", names)}).");
        }

        if (settings.Profile is { } named)
        {
            var profile = Profiles.FirstOrDefault(p => p.Name == named);
            if (profile is null)
            {
                return (null, $"There is no import profile '{named}'. Profiles: {string.Join(", ", Profiles.Select(p => p.Name))}.");
            }

            var missing = profile.Missing(present);
            return missing.Count == 0 ? (profile, null)
                : (null, $"Line {headerLine}: the header does not fit the {profile.Title} ({profile.Name}): it is missing {string.Join(", ", missing)} (found: {string.Join(", ", names)}).");
        }

        var match = Profiles.FirstOrDefault(p => p.Missing(present).Count == 0);
        if (match is not null)
        {
            return (match, null);
        }

        var closest = Profiles.Select(p => (Profile: p, Missing: p.Missing(present)))
            .OrderByDescending(c => (double)(c.Profile.Signature.Count - c.Missing.Count) / c.Profile.Signature.Count)
            .ThenBy(c => c.Missing.Count)
            .First();
        return (null, $"Line {headerLine}: no import profile matches this header. The closest is the {closest.Profile.Title} ({closest.Profile.Name}), " +
            $"which needs the column{(closest.Missing.Count > 1 ? "s" : "")} {string.Join(", ", closest.Missing)} (found: {string.Join(", ", names)}). " +
            "For another export, map its columns with ?map=account_id=<column>,email=<column>,last_login=<column>,…");
    }

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
