namespace ComplianceBot.AccessReviews.Imports;

/// <summary>
/// How to read one kind of export: the columns that recognise it (each a list of accepted names) and the mapping of a
/// row to an account. <see cref="ActivityColumns"/> empty means the file cannot say who is dormant.
/// </summary>
public sealed class ImportProfile
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    public required IReadOnlyList<string[]> Signature { get; init; }
    public IReadOnlyList<string> ActivityColumns { get; init; } = [];
    public required Func<ExportRecord, AccountRow> Read { get; init; }

    /// <summary>The signature columns the header lacks, each named by its first accepted name.</summary>
    public IReadOnlyList<string> Missing(IReadOnlySet<string> header) =>
        [.. Signature.Where(names => !names.Any(header.Contains)).Select(names => names[0])];
}
