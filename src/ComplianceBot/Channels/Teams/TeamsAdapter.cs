using System.Runtime.ExceptionServices;
using Microsoft.Bot.Builder.Integration.AspNet.Core;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Bot.Schema;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// CloudAdapter with our authentication and an error handler. A subclass because CloudAdapter has two constructors
/// DI cannot choose between.
/// </summary>
public sealed class TeamsAdapter : CloudAdapter
{
    public TeamsAdapter(BotFrameworkAuthentication authentication, ILogger<TeamsAdapter> logger)
        : base(authentication, logger)
    {
        // The turn processor already apologises for flow errors; this catches failures around it (connector down while
        // replying, a card Teams refused) so the user sees something and the log has the cause.
        OnTurnError = async (turnContext, exception) =>
        {
            // Proactive turns (continue/create conversation) have no user waiting: the messenger must see the failure
            // (a 403 means the bot was blocked), so it is rethrown rather than apologised for.
            if (turnContext.Activity is { Type: ActivityTypes.Event, Name: ActivityEventNames.ContinueConversation or ActivityEventNames.CreateConversation })
            {
                ExceptionDispatchInfo.Throw(exception);
            }

            logger.LogError(exception, "Teams turn failed for activity {Type} {Name} in {Conversation}",
                turnContext.Activity.Type, turnContext.Activity.Name, turnContext.Activity.Conversation?.Id);
            if (turnContext.Activity.Type != ActivityTypes.Invoke)
            {
                try
                {
                    await turnContext.SendActivityAsync("Sorry, something went wrong on my side. Please try again.");
                }
                catch (Exception sendFailure)
                {
                    logger.LogWarning(sendFailure, "Could not send the apology either");
                }
            }
        };
    }
}
