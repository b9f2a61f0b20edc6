namespace ComplianceBot.Understanding;

/// <summary>
/// The labels the front door knows (../shared/eval/intents.md). Each has an exemplar file knowledge/intents/&lt;label&gt;.txt
/// and one <see cref="IIntentHandler"/>; adding an intent is adding both.
/// </summary>
public static class IntentLabels
{
    public const string TasksList = "tasks.list";
    public const string Attest = "attest";
    public const string Evidence = "evidence";
    public const string Snooze = "reminders.snooze";
    public const string Reassign = "reminders.reassign";
    public const string AccessList = "access.list";
    public const string ReviewFilter = "review.filter";
    public const string ReviewKeepAll = "review.keep_all";
    public const string ChangesList = "changes.list";
    public const string ChangesNew = "changes.new";
    public const string ChangesStatus = "changes.status";
    public const string StatusProgram = "status.program";
    public const string StatusTeam = "status.team";
    public const string Help = "help";
    public const string Smalltalk = "smalltalk";
    public const string ProgramLookup = "program.lookup";
    public const string Ask = "ask";
    public const string LiveState = "decline.live_state";
    public const string Personal = "decline.personal";
    public const string OffTopic = "decline.off_topic";
    public const string Unsafe = "decline.unsafe";

    /// <summary>Shown on the clarifying buttons ("Did you mean: My tasks · Ask about SOC 2 · Something else").</summary>
    public static string Describe(string label) => label switch
    {
        TasksList => "My tasks",
        Attest => "Attest a control",
        Evidence => "Upload evidence",
        Snooze => "Snooze a reminder",
        Reassign => "Not my task",
        AccessList => "My access reviews",
        ReviewFilter => "Find accounts in my review",
        ReviewKeepAll => "Keep the unflagged accounts",
        ChangesList => "Changes to approve",
        ChangesNew => "Request a change",
        ChangesStatus => "My change requests",
        StatusProgram => "Program status",
        StatusTeam => "My team",
        Help => "What you can do",
        Smalltalk => "Just chatting",
        ProgramLookup => "Our SOC 2 program",
        Ask => "Ask about SOC 2",
        _ => label,
    };

    public static bool IsDecline(string label) => label.StartsWith("decline.", StringComparison.Ordinal);
}
