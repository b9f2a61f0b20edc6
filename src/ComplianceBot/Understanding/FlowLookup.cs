using ComplianceBot.Conversations;

namespace ComplianceBot.Understanding;

/// <summary>Finds a flow by name at call time (flows and the front door depend on each other, so not by injection).</summary>
public sealed class FlowLookup(IServiceProvider services)
{
    public IFlow Get(string name) => services.GetServices<IFlow>().First(f => f.Name == name);

    public Task<IReadOnlyList<Reply>> RunAsync(string name, FlowContext context, CancellationToken cancellationToken) => Get(name).HandleAsync(context, cancellationToken);
}
