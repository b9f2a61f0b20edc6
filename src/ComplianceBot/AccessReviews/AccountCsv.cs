using System.Text;
using ComplianceBot.AccessReviews.Imports;

namespace ComplianceBot.AccessReviews;

/// <summary>
/// A strict RFC 4180 reader for account exports. Hand-written rather than CsvHelper because an access review must refuse
/// what a lenient reader repairs (a stray quote, a short row) and every message must name the physical line the reviewer
/// sees in their editor, which for quoted multi-line fields is not the record number; the grammar is small enough to own.
/// </summary>
public static class AccountCsv
{
    /// <summary>An export in our generic columns (account_id, display_name, email, role, last_login, extras).</summary>
    public static AccountExportResult Parse(string text) => AccountExport.Parse(text, ExportSettings.None);

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
