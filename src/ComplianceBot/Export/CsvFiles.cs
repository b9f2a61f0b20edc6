using CsvHelper;

namespace ComplianceBot.Export;

/// <summary>
/// The one way this host writes CSV (export, access-review report): CsvHelper, RFC 4180, UTF-8 without BOM, CRLF, and
/// formula-injection escaping — a cell starting with = + - @ tab or CR gets a leading ' (and quotes), so a spreadsheet
/// shows it as text. A cell that already starts with ' gets one more, so removing one leading ' before those characters
/// or ' always gives back the original (VERIFY.md, section 4; verify.py relies on it to recompute record hashes).
/// </summary>
public static class CsvFiles
{
    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };

    /// <summary>Like <see cref="Options"/>, with "#" comment lines (report headers) allowed.</summary>
    public static readonly CsvWriterOptions WithComments = Options with { CommentPrefix = '#' };

    /// <summary>A writer over <paramref name="stream"/> (left open); write rows with <see cref="WriteRow"/>.</summary>
    public static CsvWriter Create(Stream stream, CsvWriterOptions? options = null) => CsvWriter.Create(stream, options ?? Options, leaveOpen: true);

    public static void WriteRow(this CsvWriter writer, IEnumerable<string?> fields)
    {
        writer.WriteFields(fields);
        writer.EndRecord();
    }

    private static void WriteFields(this CsvWriter writer, IEnumerable<string?> fields)
    {
        foreach (var field in fields)
        {
            writer.WriteField(Protect(field));
        }
    }

    /// <summary>Writes a header and rows from an async sequence, flushing as the buffer fills (never the whole file in memory).</summary>
    public static async Task WriteAsync<T>(Stream stream, IReadOnlyList<string> header, IAsyncEnumerable<T> rows, Func<T, IEnumerable<string?>> fields, CancellationToken cancellationToken)
    {
        await using var writer = Create(stream);
        writer.WriteRow(header);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            writer.WriteFields(fields(row));
            await writer.EndRecordAsync(cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>One CSV line (with its CRLF) for the given cells.</summary>
    public static string Line(params IEnumerable<string?> fields)
    {
        using var text = new StringWriter();
        using (var writer = CsvWriter.Create(text, Options, leaveOpen: true))
        {
            writer.WriteRow(fields);
        }

        return text.ToString();
    }

    private static string? Protect(string? value) => value is ['\'', ..] ? "'" + value : value;
}
