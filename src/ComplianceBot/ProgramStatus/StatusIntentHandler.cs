using ComplianceBot.Conversations;
using ComplianceBot.Understanding;

namespace ComplianceBot.ProgramStatus;

/// <summary>"how's the program doing?", "who is overdue?", "how is my team doing?": the status flow, which answers by role.</summary>
public sealed class StatusIntentHandler(FlowLookup flows) : IIntentHandler
{
    public IReadOnlyList<string> Labels { get; } = [IntentLabels.StatusProgram, IntentLabels.StatusTeam];

    public Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken)
    {
        var action = request.Intent.Label == IntentLabels.StatusTeam ? StatusFlow.TeamAction : StatusFlow.ShowAction;
        return flows.RunAsync(StatusFlow.FlowName, request.Context.AsAction(action, new Dictionary<string, string>()), cancellationToken);
    }
}
