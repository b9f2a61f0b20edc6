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
        services.AddSingleton(sp => new UploadStaging(
            Path.Combine(DataExtensions.DataDirectory(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>()), "staging"),
            sp.GetRequiredService<ILogger<UploadStaging>>()));
        services.AddHostedService<UploadStagingCleanup>();
        services.AddSingleton<IEvidenceStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EvidenceOptions>>().Value;
            if (options.Store == EvidenceStoreKind.AzureBlob)
            {
                return ActivatorUtilities.CreateInstance<BlobEvidenceStore>(sp, EvidenceStorageSettings.Container(options.Blob), options.Blob);
            }

            var configuration = sp.GetRequiredService<IConfiguration>();
            return new FileEvidenceStore(Path.Combine(DataExtensions.DataDirectory(configuration, sp.GetRequiredService<IHostEnvironment>()), options.StoragePath));
        });
        services.AddScoped<EvidenceIntake>();
        services.AddScoped<IFlow, EvidenceFlow>();
        services.AddSingleton<ITaskActions, EvidenceTaskActions>();
        services.AddSingleton(new HelpTopic(30, "upload evidence", "drop a file here and I attach it to your task (checked, hashed, stored write-once)"));
        return services;
    }
}
