using ComplianceBot.Conversations;

namespace ComplianceBot.Help;

/// <summary>A line of the help menu; each feature registers its own so help always lists what is really there.</summary>
public sealed record HelpTopic(int Order, string Command, string Description, ReplyAction? Button = null);

/// <summary>Says what the bot can do, in plain words, with buttons for the main next steps.</summary>
public sealed class HelpFlow(IEnumerable<HelpTopic> topics) : IFlow
{
    private readonly List<HelpTopic> _ordered = [.. topics.OrderBy(t => t.Order)];

    public const string FlowName = "help";
    public const string AskActionId = "help.ask";

    public static ReplyAction AskButton { get; } = new(AskActionId, "Ask a question");

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["help", "hi", "hello", "hey", "menu", "start", "what can you do"];

    public bool AllowsUnknownUsers => true;

    public Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        if (context.Action?.Id == AskActionId)
        {
            return Task.FromResult<IReadOnlyList<Reply>>([new Reply(
                "Type your question in plain words, for example \"what does CC6.1 require?\", \"is the marketing site in scope?\" or \"which CUECs do customers own?\". " +
                "I answer from our compliance knowledge base and show where each answer comes from.")]);
        }

        var ordered = _ordered;
        var greeting = context.Person is { } person ? $"Hi {person.Name.Split(' ')[0]}! " : "Hi! ";
        var reply = new Reply(greeting + "I'm ComplianceBot. I help you keep our SOC 2 controls running where you already work. You can type any of these:")
        {
            Title = "What I can do",
            Fields = [.. ordered.Select(t => new ReplyField(t.Command, t.Description))],
            Actions = [.. ordered.Where(t => t.Button is not null && (context.Person is not null || t.Button.Id == AskActionId)).Select(t => t.Button!)],
        };
        return Task.FromResult<IReadOnlyList<Reply>>([reply]);
    }
}
