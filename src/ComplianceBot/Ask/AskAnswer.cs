using ComplianceBot.Conversations;

namespace ComplianceBot.Ask;

/// <summary>An answer with its sources (best first), or a refusal (no sources).</summary>
public sealed record AskAnswer(string Answer, IReadOnlyList<Citation> Citations, bool Refused)
{
    /// <summary>The criterion the answer is mainly about, for the "which controls / who owns them" follow-ups.</summary>
    public string? MainCriterion { get; init; }

    /// <summary>How the answer was written: "offline", "azure-openai", "answerability" for an honest "I don't know", or "understanding" for a decline.</summary>
    public string Composer { get; init; } = "offline";

    /// <summary>Retrieval confidence in [0, 1] (share of the question's distinctive words the best sources contain).</summary>
    public double Confidence { get; init; }
}
