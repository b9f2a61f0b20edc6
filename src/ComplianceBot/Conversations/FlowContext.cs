using System.Text.Json;
using ComplianceBot.People;

namespace ComplianceBot.Conversations;

/// <summary>What a flow gets for one turn: the turn, the resolved person, the command arguments and its typed state.</summary>
public sealed class FlowContext(Turn turn, Person? person, ConversationState state)
{
    public Turn Turn => turn;

    /// <summary>The sender, or null when the channel user is not in the directory.</summary>
    public Person? Person => person;

    /// <summary>Text after the matched command ("ask what is CC6.1" gives "what is CC6.1"); the whole text otherwise.</summary>
    public string Arguments { get; init; } = turn.Text?.Trim() ?? "";

    public TurnAction? Action => turn.Action;

    /// <summary>What the language front door understood of this turn's text (null for buttons, forms and commands).</summary>
    public Understanding.IntentResult? Understood { get; set; }

    /// <summary>The same turn as if a button had been pressed: the front door hands a flow the action its intent means.</summary>
    public FlowContext AsAction(string actionId, IReadOnlyDictionary<string, string> data) =>
        new(turn with { Action = new TurnAction(actionId, data), Text = null }, person, state) { Arguments = "", Understood = Understood };

    internal ConversationState State => state;

    /// <summary>The flow's own typed state, when this conversation is in the middle of that flow.</summary>
    public TState? GetState<TState>(string flowName) where TState : class =>
        state.ActiveFlow == flowName && state.StateJson is { } json ? JsonSerializer.Deserialize<TState>(json, ConversationState.Json) : null;

    /// <summary>Marks the conversation as waiting in this flow; the next free text goes to it.</summary>
    public void SetState<TState>(string flowName, TState value) where TState : class
    {
        state.ActiveFlow = flowName;
        state.StateJson = JsonSerializer.Serialize(value, ConversationState.Json);
    }

    public void ClearState() => state.Clear();
}
