using ComplianceBot.Ask;
using ComplianceBot.Conversations;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Understanding;

public static class UnderstandingExtensions
{
    /// <summary>The language front door: the intent classifier (offline; Azure OpenAI first when configured) and its flow.</summary>
    public static IServiceCollection AddUnderstanding(this IServiceCollection services)
    {
        services.AddOptions<UnderstandingOptions>().BindConfiguration("Understanding");
        services.AddSingleton<OfflineIntentClassifier>();
        services.AddSingleton<ModelIntentClassifier>();
        // Azure OpenAI first when configured (falling back to offline on any failure); offline otherwise.
        services.AddSingleton<IIntentClassifier>(sp => sp.GetRequiredService<IOptions<AzureOpenAIOptions>>().Value.IsConfigured
            ? sp.GetRequiredService<ModelIntentClassifier>()
            : sp.GetRequiredService<OfflineIntentClassifier>());
        services.AddHostedService<IntentModelService>();
        services.AddScoped<FlowLookup>();
        services.AddScoped<ProgramFacts>();
        services.AddScoped<IIntentHandler, TaskIntentHandler>();
        services.AddScoped<IIntentHandler, FlowIntentHandler>();
        services.AddScoped<IIntentHandler, ReviewIntentHandler>();
        services.AddScoped<IIntentHandler, ProgramLookupHandler>();
        services.AddScoped<IIntentHandler, AskIntentHandler>();
        services.AddScoped<DeclineHandler>();
        services.AddScoped<IIntentHandler>(sp => sp.GetRequiredService<DeclineHandler>());
        services.AddScoped<IIntentHandler, ConversationHandler>();
        services.AddScoped<IFlow, FrontDoorFlow>();
        return services;
    }
}
