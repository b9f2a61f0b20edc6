using ComplianceBot.Conversations;

namespace ComplianceBot.Understanding;

/// <summary>What a handler gets: the turn's context, what was understood, and the message as typed.</summary>
public sealed record IntentRequest(FlowContext Context, IntentResult Intent, string Text)
{
    public IntentSlots Slots => Intent.Slots;
}

/// <summary>Does what one or more intents mean. Every label in knowledge/intents/ has exactly one handler.</summary>
public interface IIntentHandler
{
    IReadOnlyList<string> Labels { get; }

    /// <summary>Whether a person who is not in the directory may get this intent handled (questions, help, declines).</summary>
    bool AllowsUnknownUsers => false;

    Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken);
}
