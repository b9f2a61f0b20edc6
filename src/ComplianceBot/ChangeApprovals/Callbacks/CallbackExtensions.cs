using ComplianceBot.Operations;

namespace ComplianceBot.ChangeApprovals.Callbacks;

public static class CallbackExtensions
{
    /// <summary>Options, URL policy, signer and the named HttpClient every sender of change callbacks uses.</summary>
    public static IServiceCollection AddChangeCallbacks(this IServiceCollection services)
    {
        services.AddOptions<CallbackOptions>().BindConfiguration("Changes:Callbacks");
        services.AddSingleton<CallbackUrlPolicy>();
        services.AddSingleton<CallbackSigner>();
        services.AddHttpClient(CallbackUrlPolicy.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<CallbackUrlPolicy>().CreateHandler())
            .AddRedactedLogging(CallbackUrlPolicy.Redact);
        return services;
    }
}
