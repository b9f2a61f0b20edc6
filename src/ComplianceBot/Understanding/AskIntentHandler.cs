using ComplianceBot.Ask;
using ComplianceBot.Conversations;

namespace ComplianceBot.Understanding;

/// <summary>ask: general SOC 2 knowledge, answered by the Ask flow from the knowledge base with citations.</summary>
public sealed class AskIntentHandler(FlowLookup flows) : IIntentHandler
{
    public IReadOnlyList<string> Labels { get; } = [IntentLabels.Ask];

    public bool AllowsUnknownUsers => true;

    public Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken) =>
        flows.RunAsync(AskFlow.FlowName, request.Context, cancellationToken);
}
