namespace ComplianceBot.Ask;

public enum SourceKind
{
    Criterion,
    Concept,
    Program,
    Control,
    System,
}

/// <summary>
/// One retrievable piece of the knowledge base. <see cref="Id"/> is stable across rebuilds ("CC6.1#typical-controls",
/// "control:AC-01"); <see cref="DocumentId"/> is what an answer cites (a criterion id, a concept id, a control id).
/// </summary>
public sealed record Passage(string Id, string DocumentId, string Title, string Source, SourceKind Kind, string Section, string Text)
{
    /// <summary>Extra words indexed with the passage but never shown (the document's title, keywords and points of focus).</summary>
    public string IndexBoost { get; init; } = "";
}

/// <summary>A citable document: a criterion file, a concept file, a program file, a control or a system entry.</summary>
public sealed record SourceDocument(string Id, string Title, string Source, SourceKind Kind)
{
    public string? Category { get; init; }
    public IReadOnlyList<string> Keywords { get; init; } = [];
    public IReadOnlyList<string> RelatedCriteria { get; init; } = [];
}
