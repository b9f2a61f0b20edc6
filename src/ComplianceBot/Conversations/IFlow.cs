namespace ComplianceBot.Conversations;

/// <summary>
/// One capability of the bot. A flow owns the action ids that start with "<see cref="Name"/>." and
/// the text commands it lists; it sees only <see cref="FlowContext"/>, never Slack or Teams JSON.
/// </summary>
public interface IFlow
{
    /// <summary>Short stable name; also the prefix of every action id the flow publishes ("tasks.open").</summary>
    string Name { get; }

    /// <summary>Text commands (lower case) that start this flow: "tasks", "my tasks". A command may be followed by arguments.</summary>
    IReadOnlyList<string> Commands { get; }

    /// <summary>
    /// Commands that take the rest of the message as arguments ("ask what is CC6.1", "new change rotate the cert").
    /// Other commands match only the whole message; longer free text goes to the front door.
    /// </summary>
    IReadOnlyList<string> CommandsWithArguments => [];

    /// <summary>Whether a person who is not in the directory may use this flow (Ask and Help only).</summary>
    bool AllowsUnknownUsers => false;

    Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken);
}

/// <summary>A flow that answers free text that matched no command (Ask, when registered).</summary>
public interface IFallbackFlow : IFlow;

/// <summary>The language front door (when registered): every free-text message, commands included, is classified there first.</summary>
public interface IFrontDoorFlow : IFallbackFlow
{
    /// <summary>Whether a command is one of its exemplars (then it takes the command, so the intent is reported too).</summary>
    bool Recognises(string command);
}

/// <summary>A flow that takes files dropped in the chat (Evidence, when registered).</summary>
public interface IFileFlow : IFlow;
