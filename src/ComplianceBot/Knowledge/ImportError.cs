namespace ComplianceBot.Knowledge;

/// <summary>One problem in a knowledge file: where it is, what is wrong and how to fix it.</summary>
public sealed record ImportError(string File, long Line, string Entry, string Problem, string Fix)
{
    public override string ToString() => $"{File}:{Line} ({Entry}): {Problem}. Fix: {Fix}";
}

/// <summary>Thrown when the knowledge files do not import; nothing was changed.</summary>
public sealed class KnowledgeImportException(IReadOnlyList<ImportError> errors)
    : Exception($"The knowledge files have {errors.Count} problem(s); nothing was imported:{Environment.NewLine}" +
                string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<ImportError> Errors => errors;
}
