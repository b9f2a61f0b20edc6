using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Help;
using ComplianceBot.Tasks;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Evidence;

public static class EvidenceExtensions
{
    public static IServiceCollection AddEvidence(this IServiceCollection services)
    {
        services.AddOptions<EvidenceOptions>().BindConfiguration("Evidence");
        services.AddSingleton<IEvidenceStore>(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var path = sp.GetRequiredService<IOptions<EvidenceOptions>>().Value.StoragePath;
            return new FileEvidenceStore(Path.Combine(DataExtensions.DataDirectory(configuration, sp.GetRequiredService<IHostEnvironment>()), path));
        });
        services.AddScoped<EvidenceIntake>();
        services.AddScoped<IFlow, EvidenceFlow>();
        services.AddSingleton<ITaskActions, EvidenceTaskActions>();
        services.AddSingleton(new HelpTopic(30, "upload evidence", "drop a file here and I attach it to your task (checked, hashed, stored write-once)"));
        return services;
    }
}
