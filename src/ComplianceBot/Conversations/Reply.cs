namespace ComplianceBot.Conversations;

/// <summary>How a button looks; channels map it to their own styles.</summary>
public enum ActionStyle
{
    Default,
    Primary,
    Danger,
}

/// <summary>A button. <paramref name="Id"/> is a flow's public action id; <paramref name="Data"/> travels back with the click.</summary>
public sealed record ReplyAction(string Id, string Label, IReadOnlyDictionary<string, string>? Data = null, ActionStyle Style = ActionStyle.Default)
{
    /// <summary>When set, the channel asks "are you sure?" with this text before sending the action.</summary>
    public string? Confirm { get; init; }
}

public sealed record ReplyField(string Label, string Value);

public sealed record ChoiceOption(string Value, string Label);

public enum InputKind
{
    Text,
    MultilineText,
    Choice,
}

/// <summary>A form input. Values come back in the submitting action's data under <see cref="Id"/>.</summary>
public sealed record ReplyInput(string Id, string Label, InputKind Kind = InputKind.Text)
{
    public bool Required { get; init; }
    public string? Value { get; init; }
    public string? Placeholder { get; init; }
    public IReadOnlyList<ChoiceOption> Options { get; init; } = [];

    /// <summary>
    /// When set, the choices are searched in this <see cref="IChoiceSource"/> as the user types and <see cref="Options"/>
    /// holds only the current value, if any: for lists longer than <see cref="MaxListedOptions"/>.
    /// </summary>
    public string? Dataset { get; init; }

    /// <summary>The most options a flow lists in the message itself (Slack's static select limit).</summary>
    public const int MaxListedOptions = 100;
}

/// <summary>A form: inputs plus the action that submits them. Slack shows it as a modal, Teams and the web chat inline.</summary>
public sealed record ReplyForm(string Title, string SubmitActionId, string SubmitLabel, IReadOnlyList<ReplyInput> Inputs)
{
    public IReadOnlyDictionary<string, string>? Data { get; init; }

    /// <summary>Validation errors by input id, shown under the input (Slack response_action: errors).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();
}

/// <summary>A source an answer is grounded in; <see cref="Id"/> is a criterion id such as CC6.1 or a document id.</summary>
public sealed record Citation(string Id, string Title, string Source);

/// <summary>One entry of a list (a task, an account under review) with its own buttons.</summary>
public sealed record ReplyItem(string Text)
{
    public IReadOnlyList<ReplyField> Fields { get; init; } = [];
    public IReadOnlyList<ReplyAction> Actions { get; init; } = [];
}

/// <summary>
/// A per-person view of a shared message: channels that can (Teams Universal Actions, refresh.userIds) ask the
/// flow again with <paramref name="ActionId"/> for each listed person and show them their own version
/// (e.g. Approve/Reject buttons only for approvers); other channels show the shared reply to everyone.
/// </summary>
public sealed record UserSpecificView(string ActionId, IReadOnlyDictionary<string, string> Data, IReadOnlyList<int> PersonIds);

/// <summary>
/// A channel-neutral message: every renderer (Block Kit, Adaptive Cards, web JSON) renders every part. All strings are
/// plain text (escaped and cleaned by each renderer); <see cref="Text"/> may also carry bold and links our code built.
/// </summary>
public sealed record Reply(RichText Text)
{
    public string? Title { get; init; }

    /// <summary>
    /// Long text shown after the facts and buttons, collapsed where the client can ("Show more"), so the decision stays
    /// on the first screen (a change's description).
    /// </summary>
    public RichText? Details { get; init; }
    public IReadOnlyList<ReplyField> Fields { get; init; } = [];
    public IReadOnlyList<ReplyItem> Items { get; init; } = [];
    public IReadOnlyList<ReplyAction> Actions { get; init; } = [];
    public IReadOnlyList<Citation> Citations { get; init; } = [];
    public ReplyForm? Form { get; init; }

    /// <summary>When set, the listed people see their own version of this message (see <see cref="UserSpecificView"/>).</summary>
    public UserSpecificView? Refresh { get; init; }

    /// <summary>Replace the message the triggering action came from instead of posting a new one.</summary>
    public bool UpdatesSource { get; init; }

    /// <summary>Text used where rich content cannot show (notifications, screen readers).</summary>
    public string Fallback => Title is null ? Text.ToString() : $"{Title}: {Text}";
}
