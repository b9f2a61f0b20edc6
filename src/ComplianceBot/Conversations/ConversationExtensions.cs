using ComplianceBot.Help;

namespace ComplianceBot.Conversations;

public static class ConversationExtensions
{
    /// <summary>The channel-neutral core: router, turn processor, messenger and the help flow.</summary>
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<FlowRouter>();
        services.AddScoped<TurnProcessor>();
        services.AddScoped<IMessenger, Messenger>();
        services.AddScoped<ChoiceSearch>();
        services.AddScoped<MessageParts>();
        services.AddScoped<IFlow, HelpFlow>();
        services.AddSingleton(new HelpTopic(0, "help", "this list"));
        services.AddSingleton(new HelpTopic(90, "ask <question>", "questions about SOC 2 criteria, our scope, controls and CUECs — answered from our knowledge base with sources", HelpFlow.AskButton));
        return services;
    }
}
