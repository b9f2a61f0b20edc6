using ComplianceBot.Conversations;
using ComplianceBot.Help;
using ComplianceBot.Tasks;

namespace ComplianceBot.Attestations;

public static class AttestationsExtensions
{
    public static IServiceCollection AddAttestations(this IServiceCollection services) =>
        services.AddScoped<Attestor>()
            .AddScoped<IFlow, AttestationFlow>()
            .AddSingleton<ITaskActions, AttestationTaskActions>()
            .AddSingleton(new HelpTopic(20, "attest", "confirm a control was performed (or record exceptions) for one of your tasks"));
}
