namespace ComplianceBot.Understanding;

/// <summary>What a message names: a control id, a change number, a system (canonical name), a snooze time, a person.</summary>
/// <param name="Until">"1d", "monday" or an ISO date (intents.md conventions); null when no time was given.</param>
/// <param name="AsksWhen">A snooze tied to an event the bot cannot date ("after my holiday"): ask when.</param>
/// <param name="PersonEmail">A colleague named in the message (never the sender).</param>
public sealed record IntentSlots(
    string? Control = null,
    string? Change = null,
    string? System = null,
    string? Until = null,
    bool AsksWhen = false,
    string? PersonEmail = null,
    string? PersonName = null)
{
    public static IntentSlots None { get; } = new();
}
