using ComplianceBot.Conversations;

namespace ComplianceBot.Tests.Fakes;

/// <summary>
/// A small flow that uses the Reply features a channel must carry (UpdatesSource, per-person Refresh, forms with
/// errors), so channel tests do not depend on how a business flow happens to use them.
/// </summary>
public sealed class ProbeFlow : IFlow
{
    public const string Approve = "probe.approve";
    public const string View = "probe.view";
    public const string Submit = "probe.submit";

    public string Name => "probe";

    public IReadOnlyList<string> Commands { get; } = ["probe"];

    public Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        var refresh = new UserSpecificView(View, new Dictionary<string, string> { ["request"] = "7" }, [person.Id]);
        Reply reply = context.Action?.Id switch
        {
            Approve => new Reply($"Approved by {person.Name}") { Title = "Change CR-7", UpdatesSource = true, Refresh = refresh },
            View => new Reply($"Your own view, {person.Name}") { Title = "Change CR-7", UpdatesSource = true, Actions = [new ReplyAction(Approve, "Approve", Style: ActionStyle.Primary)] },
            Submit when context.Action.Get("notes") is null => new Reply("Please add notes.")
            {
                UpdatesSource = true,
                Form = new ReplyForm("Attest", Submit, "Submit", [new ReplyInput("notes", "Notes", InputKind.MultilineText) { Required = true }])
                {
                    Errors = new Dictionary<string, string> { ["notes"] = "Notes are required" },
                },
            },
            Submit => new Reply($"Recorded: {context.Action.Get("notes")}") { UpdatesSource = true },
            _ => new Reply("Change CR-7 needs approval") { Title = "Change CR-7", Refresh = refresh, Actions = [new ReplyAction(Approve, "Approve", Style: ActionStyle.Primary)] },
        };
        return Task.FromResult<IReadOnlyList<Reply>>([reply]);
    }
}
