namespace ComplianceBot.Understanding;

/// <summary>The language front door (section "Understanding" of the configuration).</summary>
public sealed class UnderstandingOptions
{
    /// <summary>Folder of exemplar files, relative to the knowledge folder.</summary>
    public string Exemplars { get; set; } = "intents";

    /// <summary>Below this probability the bot asks which of the likeliest intents was meant instead of guessing.</summary>
    public double MinConfidence { get; set; } = 0.4;

    /// <summary>
    /// Below this probability a live-state decline whose runner-up is a question goes to Ask, whose answerability check
    /// (it has its own live-state test) has the final word. Unsafe requests are never deferred.
    /// </summary>
    public double DeclineFloor { get; set; } = 0.5;

    /// <summary>How much the MiniLM vector counts beside the word features (both are unit length).</summary>
    public float DenseWeight { get; set; } = 1f;

    /// <summary>Train the hybrid head once MiniLM has loaded (Ask:DenseRetrieval must be on).</summary>
    public bool UseEmbeddings { get; set; } = true;

    /// <summary>The one line for messages unrelated to compliance; point it at your own helpdesk and HR.</summary>
    public string OffTopicReply { get; set; } =
        "That's outside what I do: I help with our SOC 2 compliance work. For IT problems (passwords, laptops, access to tools) ask the IT helpdesk; for leave, pay and benefits ask HR.";

    /// <summary>How long the Azure OpenAI classifier may take before the offline one answers instead.</summary>
    public TimeSpan ModelTimeout { get; set; } = TimeSpan.FromSeconds(4);
}
