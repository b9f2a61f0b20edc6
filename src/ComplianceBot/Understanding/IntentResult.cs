namespace ComplianceBot.Understanding;

/// <summary>A label with its probability.</summary>
public sealed record IntentScore(string Label, double Probability);

/// <summary>What the front door understood: the label, how sure it is, the likeliest alternatives and the slots.</summary>
/// <param name="Source">"exemplar" (an exact known phrase), "offline" (the trained head), "azure-openai", "command", or "answerability" (a weak live-state decline handed to Ask).</param>
public sealed record IntentResult(string Label, double Confidence, IReadOnlyList<IntentScore> Ranked, IntentSlots Slots, string Source)
{
    public string Intent => Label;
}
