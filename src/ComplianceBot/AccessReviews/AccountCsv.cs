using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ComplianceBot.AccessReviews;

/// <summary>One account of a system export, as imported.</summary>
public sealed record AccountRow(int Line, string AccountId, string DisplayName, string Email, string Role, DateTimeOffset? LastLogin, string EntitlementsJson);

/// <summary>The accounts of an export, or the problems that stop it being imported (each naming its line).</summary>
public sealed record AccountCsvResult(IReadOnlyList<AccountRow> Rows, IReadOnlyList<string> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// A strict RFC 4180 reader for account exports. Hand-written rather than CsvHelper because an access review must refuse
/// what a lenient reader repairs (a stray quote, a short row) and every message must name the physical line the reviewer
/// sees in their editor, which for quoted multi-line fields is not the record number; the grammar is small enough to own.
/// </summary>
public static class AccountCsv
{
    public static readonly string[] RequiredColumns = ["account_id", "display_name", "email", "role", "last_login"];

    public const int MaxFieldLength = 256;
    private const int MaxErrors = 10;

    public static AccountCsvResult Parse(string text)
    {
        var errors = new List<string>();
        var records = ReadRecords(text, errors);
        if (errors.Count > 0)
        {
            return new([], errors);
        }

        if (records.Count == 0)
        {
            return new([], ["The CSV is empty: expected a header line with " + string.Join(", ", RequiredColumns) + "."]);
        }

        var (headerLine, header) = records[0];
        var columns = header.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var duplicateColumn = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicateColumn is not null)
        {
            return new([], [$"Line {headerLine}: the column '{duplicateColumn.Key}' appears twice in the header."]);
        }

        var missing = RequiredColumns.Where(r => !columns.Contains(r)).ToList();
        if (missing.Count > 0)
        {
            return new([], [$"Line {headerLine}: the header is missing the required column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (found: {string.Join(", ", columns)})."]);
        }

        var index = RequiredColumns.ToDictionary(c => c, c => Array.IndexOf(columns, c));
        var extra = columns.Select((c, i) => (Name: c, Index: i)).Where(c => !RequiredColumns.Contains(c.Name) && c.Name.Length > 0).ToList();
        var rows = new List<AccountRow>(records.Count - 1);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, fields) in records.Skip(1))
        {
            if (errors.Count >= MaxErrors)
            {
                break;
            }

            if (fields.Count != columns.Length)
            {
                errors.Add($"Line {line}: {fields.Count} field{(fields.Count == 1 ? "" : "s")} where the header has {columns.Length}.");
                continue;
            }

            var accountId = fields[index["account_id"]].Trim();
            if (accountId.Length == 0)
            {
                errors.Add($"Line {line}: account_id is empty.");
                continue;
            }

            if (seen.TryGetValue(accountId, out var firstLine))
            {
                errors.Add($"Line {line}: duplicate account_id '{Shorten(accountId)}' (already on line {firstLine}).");
                continue;
            }

            seen[accountId] = line;
            var tooLong = RequiredColumns.FirstOrDefault(c => fields[index[c]].Length > MaxFieldLength);
            if (tooLong is not null)
            {
                errors.Add($"Line {line}: {tooLong} is longer than {MaxFieldLength} characters.");
                continue;
            }

            var lastLoginText = fields[index["last_login"]].Trim();
            DateTimeOffset? lastLogin = null;
            if (lastLoginText.Length > 0 && !lastLoginText.Equals("never", StringComparison.OrdinalIgnoreCase))
            {
                if (!DateTimeOffset.TryParse(lastLoginText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    errors.Add($"Line {line}: last_login '{Shorten(lastLoginText)}' is not a date (use ISO 8601 such as 2026-10-31 or 2026-10-31T09:15:00Z, or leave it empty for never).");
                    continue;
                }

                lastLogin = parsed;
            }

            var entitlements = extra.Count == 0 ? "{}" : JsonSerializer.Serialize(extra.ToDictionary(e => e.Name, e => fields[e.Index]));
            rows.Add(new AccountRow(line, accountId, fields[index["display_name"]].Trim(), People.EmailAddress.Normalize(fields[index["email"]]),
                fields[index["role"]].Trim(), lastLogin, entitlements));
        }

        if (errors.Count == 0 && rows.Count == 0)
        {
            errors.Add("The CSV has a header but no accounts.");
        }

        return errors.Count > 0 ? new([], errors) : new(rows, []);
    }

    /// <summary>
    /// Splits into records of fields, tracking the physical line each record starts on; stops at the first quoting error.
    /// Also the reader of the people import (one CSV reader).
    /// </summary>
    internal static List<(int Line, List<string> Fields)> ReadRecords(string text, List<string> errors)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var fieldStarted = false;

        void EndRecord()
        {
            fields.Add(field.ToString());
            field.Clear();
            // A blank line (one empty field) is not a record: exports often end with one or more.
            if (fields.Count > 1 || fields[0].Length > 0 || fieldStarted)
            {
                records.Add((recordLine, fields));
            }

            fields = [];
            fieldStarted = false;
        }

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                if (field.Length > 0)
                {
                    errors.Add($"Line {line}: a quote inside an unquoted field; quote the whole field and double any quote inside it (\"\").");
                    return records;
                }

                var quoteLine = line;
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    var q = text[i];
                    if (q == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    if (q == '\n')
                    {
                        line++;
                    }

                    field.Append(q);
                    i++;
                }

                if (!closed)
                {
                    errors.Add($"Line {quoteLine}: a quoted field is never closed.");
                    return records;
                }

                fieldStarted = true;
                if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                {
                    errors.Add($"Line {line}: unexpected text after a closing quote; a quoted field must end at a comma or the end of the line.");
                    return records;
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    i++;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    i++;
                    break;
                case '\r' or '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    i++;
                    break;
                default:
                    field.Append(c);
                    i++;
                    break;
            }
        }

        if (field.Length > 0 || fields.Count > 0 || fieldStarted)
        {
            EndRecord();
        }

        return records;
    }

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
