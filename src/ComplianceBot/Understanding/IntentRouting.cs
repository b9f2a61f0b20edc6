namespace ComplianceBot.Understanding;

/// <summary>
/// What the bot acts on, given the classifier's verdict. Chat and the question endpoints share it, so a message is
/// treated the same in Slack, Teams, the web chat and POST /api/ask.
/// </summary>
public static class IntentRouting
{
    /// <summary>Set as <see cref="IntentResult.Source"/> when a weak live-state decline is handed to Ask.</summary>
    public const string DeferredSource = "answerability";

    /// <summary>An unsafe request at or above this probability is refused even when another label is likelier.</summary>
    public const double UnsafeFloor = 0.3;

    /// <summary>The same, when the text holds an unsafe cue (<see cref="TextNormalizer.CueMarkers"/>).</summary>
    public const double CueFloor = 0.2;

    /// <summary>Set as <see cref="IntentResult.Source"/> when an unsafe cue decided the label.</summary>
    public const string CueSource = "offline+cue";

    /// <summary>
    /// A live-state decline the classifier is unsure of, with a question as its runner-up, is usually a practical
    /// question worded around our own systems ("we never test restores, is that an audit problem?"). Ask's
    /// answerability check then decides: it declines real live-state questions itself, naming the covering control.
    /// </summary>
    public static IntentResult Resolve(IntentResult intent, UnderstandingOptions options)
    {
        if (intent.Label == IntentLabels.LiveState
            && intent.Confidence < options.DeclineFloor
            && intent.Ranked.Count > 1
            && intent.Ranked[1] is { Label: IntentLabels.Ask or IntentLabels.ProgramLookup } runnerUp)
        {
            return intent with { Label = IntentLabels.Ask, Confidence = runnerUp.Probability, Source = DeferredSource };
        }

        return intent;
    }

    /// <summary>
    /// Sure enough to act without asking which was meant. The classifier labels a message unsafe only above its own
    /// floor, and a refusal then stands: asking "did you mean…" about a request to falsify would offer to do it.
    /// </summary>
    public static bool IsSure(IntentResult intent, UnderstandingOptions options) =>
        (intent.Label == IntentLabels.Unsafe && (intent.Confidence >= UnsafeFloor || intent.Source == CueSource)) || intent.Source == DeferredSource || intent.Confidence >= options.MinConfidence;
}
