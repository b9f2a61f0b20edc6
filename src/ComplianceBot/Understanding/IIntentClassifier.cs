namespace ComplianceBot.Understanding;

/// <summary>Reads one free-text message: intent, confidence, slots. Offline by default; Azure OpenAI when configured.</summary>
public interface IIntentClassifier
{
    /// <param name="senderEmail">Who typed it, so their own name is not taken for a colleague's.</param>
    /// <param name="today">The sender's local date, for snooze dates without a year.</param>
    Task<IntentResult> ClassifyAsync(string text, string? senderEmail, DateOnly today, CancellationToken cancellationToken);
}
