using ComplianceBot.Conversations;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Understanding;

/// <summary>
/// Every free-text message comes here before any flow runs: it is classified (intent, confidence, slots) and handed to
/// the intent's handler. Below the confidence floor it never guesses: it asks which of the likeliest intents was meant.
/// </summary>
public sealed class FrontDoorFlow(
    IIntentClassifier classifier,
    OfflineIntentClassifier offline,
    IEnumerable<IIntentHandler> handlers,
    IOptions<UnderstandingOptions> options,
    TimeProvider clock,
    ILogger<FrontDoorFlow> logger) : IFrontDoorFlow
{
    public const string FlowName = "understand";
    public const string ChooseAction = "understand.choose";
    public const string SomethingElse = "other";

    private readonly Dictionary<string, IIntentHandler> _handlers = handlers.SelectMany(h => h.Labels.Select(l => (l, h))).ToDictionary(p => p.l, p => p.h, StringComparer.Ordinal);

    public string Name => FlowName;

    public IReadOnlyList<string> Commands => [];

    public bool AllowsUnknownUsers => true;

    public IReadOnlyCollection<string> HandledLabels => _handlers.Keys;

    public bool Recognises(string command) => offline.Model.IsExemplar(command);

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        if (context.Action is { Id: ChooseAction } choice)
        {
            return await ChosenAsync(context, choice, cancellationToken);
        }

        var text = context.Arguments;
        if (string.IsNullOrWhiteSpace(text))
        {
            return await DispatchAsync(context, new IntentResult(IntentLabels.Help, 1, [], IntentSlots.None, "empty"), "", cancellationToken);
        }

        var today = DateOnly.FromDateTime((context.Person?.LocalTime(clock.GetUtcNow()) ?? clock.GetUtcNow()).DateTime);
        var intent = IntentRouting.Resolve(await classifier.ClassifyAsync(text, context.Person?.Email, today, cancellationToken), options.Value);
        context.Understood = intent;
        if (!IntentRouting.IsSure(intent, options.Value))
        {
            return [Clarify(intent, text)];
        }

        return await DispatchAsync(context, intent, text, cancellationToken);
    }

    private async Task<IReadOnlyList<Reply>> ChosenAsync(FlowContext context, TurnAction choice, CancellationToken cancellationToken)
    {
        var label = choice.Get("intent");
        var text = choice.Get("text") ?? "";
        if (label is null || label == SomethingElse || !_handlers.ContainsKey(label))
        {
            return [new Reply("OK. Tell me in other words what you need, or type \"help\" to see what I can do.") { UpdatesSource = true }];
        }

        var today = DateOnly.FromDateTime((context.Person?.LocalTime(clock.GetUtcNow()) ?? clock.GetUtcNow()).DateTime);
        var classified = await classifier.ClassifyAsync(text, context.Person?.Email, today, cancellationToken);
        var intent = classified with { Label = label, Confidence = 1, Source = "chosen" };
        context.Understood = intent;
        return await DispatchAsync(context, intent, text, cancellationToken);
    }

    private async Task<IReadOnlyList<Reply>> DispatchAsync(FlowContext context, IntentResult intent, string text, CancellationToken cancellationToken)
    {
        if (!_handlers.TryGetValue(intent.Label, out var handler))
        {
            logger.LogError("Understanding: no handler for intent {Intent}; add one beside its exemplar file", intent.Label);
            return [Clarify(intent with { Confidence = 0 }, text)];
        }

        if (context.Person is null && !handler.AllowsUnknownUsers)
        {
            return [new Reply(TurnProcessor.UnknownUserText) { Actions = [Help.HelpFlow.AskButton] }];
        }

        return await handler.HandleAsync(new IntentRequest(context, intent, text), cancellationToken);
    }

    /// <summary>"Did you mean: My tasks · Ask about SOC 2 · Something else" — the two or three likeliest, never a decline.</summary>
    private static Reply Clarify(IntentResult intent, string text)
    {
        var likeliest = intent.Ranked.Where(s => !IntentLabels.IsDecline(s.Label) && s.Label != IntentLabels.Smalltalk).Take(3).ToList();
        if (likeliest.Count == 3 && likeliest[2].Probability < likeliest[0].Probability / 3)
        {
            likeliest.RemoveAt(2);
        }

        var payloadText = text.Length > 1500 ? text[..1500] : text;
        return new Reply("I'm not sure what you mean. Did you mean:")
        {
            Actions =
            [
                .. likeliest.Select(s => new ReplyAction(ChooseAction, IntentLabels.Describe(s.Label), new Dictionary<string, string> { ["intent"] = s.Label, ["text"] = payloadText })),
                new ReplyAction(ChooseAction, "Something else", new Dictionary<string, string> { ["intent"] = SomethingElse, ["text"] = "" }),
            ],
        };
    }
}
