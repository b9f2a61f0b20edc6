using ComplianceBot.Conversations;

namespace ComplianceBot.Ask;

/// <summary>
/// Grounded answers in every channel: "ask &lt;question&gt;" and any free text that is not a command. Open to people who
/// are not in the directory (answers come only from the shared knowledge base), with two follow-ups per criterion.
/// </summary>
public sealed class AskFlow(AskService ask, QuestionAnswerer questions, KnowledgeIndex index) : IFallbackFlow
{
    public const string FlowName = "ask";
    public const string ControlsActionId = "ask.controls";
    public const string OwnersActionId = "ask.owners";

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["ask"];

    public IReadOnlyList<string> CommandsWithArguments => Commands;

    public bool AllowsUnknownUsers => true;

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        if (context.Action is { } action)
        {
            return [FollowUp(action)];
        }

        var question = context.Arguments;
        if (string.IsNullOrWhiteSpace(question))
        {
            return [new Reply("What would you like to know? For example \"what does CC6.1 require?\", \"is the marketing site in scope?\" or \"which CUECs do customers own?\".")];
        }

        if (question.Length > AskService.MaxQuestionLength)
        {
            return [new Reply($"That message is too long for me ({question.Length} characters); please ask in under {AskService.MaxQuestionLength}.")];
        }

        // From the front door the question is already understood; "ask …" typed as a command is understood here.
        var answer = context.Understood is not null
            ? await ask.AnswerAsync(question, cancellationToken)
            : await questions.AnswerAsync(question, context.Person, context.Person?.Email ?? context.Turn.From.UserId, context.Turn.From.Channel.ToString(), cancellationToken);
        return [ToReply(answer)];
    }

    // Answers are written from our knowledge files (or by the model from them): their **bold** and "- " lists are ours.
    public static Reply ToReply(AskAnswer answer) => new(RichText.FromMarkdown(answer.Answer))
    {
        Citations = answer.Citations,
        Actions = answer.MainCriterion is { } criterion && !answer.Refused ? FollowUps(criterion) : [],
    };

    public static IReadOnlyList<ReplyAction> FollowUps(string criterion) =>
    [
        new(ControlsActionId, "Which controls cover this?", new Dictionary<string, string> { ["criterion"] = criterion }),
        new(OwnersActionId, "Who owns them?", new Dictionary<string, string> { ["criterion"] = criterion }),
    ];

    private Reply FollowUp(TurnAction action)
    {
        var corpus = index.Current.Corpus;
        var criterion = action.Get("criterion");
        if (criterion is null || !corpus.Documents.TryGetValue(criterion, out var document) || document.Kind != SourceKind.Criterion)
        {
            return new Reply("I don't know which criterion you mean any more; ask the question again.");
        }

        var controls = corpus.Controls.Where(c => c.Criteria.Contains(document.Id, StringComparer.Ordinal)).ToList();
        var citation = OfflineComposer.ToCitation(document);
        if (controls.Count == 0)
        {
            return new Reply($"None of our controls is mapped to {document.Id} in knowledge/program/controls.yaml. Ask the compliance team ({corpus.Profile.ComplianceContact}) if you think one should be.")
            {
                Citations = [citation],
            };
        }

        var controlCitations = controls.Select(c => corpus.Documents[c.Id]).Select(OfflineComposer.ToCitation);
        if (action.Id == OwnersActionId)
        {
            var owners = controls.GroupBy(c => (c.OwnerName, c.OwnerEmail))
                .Select(g => new ReplyItem($"{g.Key.OwnerName} ({g.Key.OwnerEmail})") { Fields = [new ReplyField("Controls", string.Join(", ", g.Select(c => c.Id)))] });
            return new Reply($"Owners of the controls mapped to {document.Id}:")
            {
                Title = $"Who owns the {document.Id} controls",
                Items = [.. owners],
                Citations = [citation, .. controlCitations],
            };
        }

        return new Reply($"Our controls mapped to {document.Id} ({document.Title}):")
        {
            Title = $"Controls covering {document.Id}",
            Items = [.. controls.Select(c => new ReplyItem($"{c.Id} {c.Title}: {c.Description}")
            {
                Fields = [new ReplyField("Owner", c.OwnerName), new ReplyField("Frequency", c.Frequency), .. c.System is null ? Array.Empty<ReplyField>() : [new ReplyField("System", c.System)]],
            })],
            Actions = [FollowUps(document.Id)[1]],
            Citations = [citation, .. controlCitations],
        };
    }
}
