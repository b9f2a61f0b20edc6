namespace ComplianceBot.Conversations;

/// <summary>
/// Picks the flow for a turn: an action goes to the flow named by its prefix; files to the file flow;
/// a known command to its flow; other text to the flow the conversation is waiting in, else the fallback.
/// </summary>
public sealed class FlowRouter(IEnumerable<IFlow> flows)
{
    private readonly IReadOnlyList<IFlow> _flows = [.. flows];

    // Longest commands first so "my tasks" wins over "my".
    private readonly IReadOnlyList<(string Command, IFlow Flow)> _commands =
        [.. flows.SelectMany(f => f.Commands.Select(c => (Command: c, Flow: f))).OrderByDescending(c => c.Command.Length)];

    private readonly IReadOnlyList<(string Command, IFlow Flow)> _argumentCommands =
        [.. flows.SelectMany(f => f.CommandsWithArguments.Select(c => (Command: c, Flow: f))).OrderByDescending(c => c.Command.Length)];

    private readonly IFrontDoorFlow? _frontDoor = flows.OfType<IFrontDoorFlow>().FirstOrDefault();

    public IReadOnlyList<IFlow> Flows => _flows;

    public (IFlow Flow, string Arguments)? Route(Turn turn, ConversationState state)
    {
        if (turn.Action is { } action)
        {
            var name = action.Id.Split('.', 2)[0];
            var owner = _flows.FirstOrDefault(f => f.Name == name);
            return owner is null ? null : (owner, "");
        }

        var text = Normalize(turn.Text);
        if (turn.Files.Count > 0 && _flows.OfType<IFileFlow>().FirstOrDefault() is { } fileFlow)
        {
            return (fileFlow, text);
        }

        foreach (var (command, flow) in _argumentCommands)
        {
            if (text.StartsWith(command + " ", StringComparison.Ordinal))
            {
                return (flow, turn.Text!.Trim().TrimStart('/')[command.Length..].Trim());
            }
        }

        foreach (var (command, flow) in _commands)
        {
            if (text == command)
            {
                // The front door knows every command as an exemplar, so it reports (and logs) the intent too.
                return _frontDoor?.Recognises(text) == true ? (_frontDoor, turn.Text!.Trim()) : (flow, "");
            }

            if (_frontDoor is null && text.StartsWith(command + " ", StringComparison.Ordinal))
            {
                return (flow, turn.Text!.Trim()[command.Length..].Trim());
            }
        }

        if (state.ActiveFlow is { } active && _flows.FirstOrDefault(f => f.Name == active) is { } waiting)
        {
            return (waiting, turn.Text?.Trim() ?? "");
        }

        var fallback = _frontDoor ?? _flows.OfType<IFallbackFlow>().FirstOrDefault() ?? (IFlow?)_flows.FirstOrDefault(f => f.Name == Help.HelpFlow.FlowName);
        return fallback is null ? null : (fallback, turn.Text?.Trim() ?? "");
    }

    /// <summary>Lower case, single spaces, without a leading slash or trailing punctuation, so "/Tasks!" matches "tasks".</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var words = text.Trim().TrimStart('/').TrimEnd('.', '!', '?').ToLowerInvariant()
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words);
    }
}
