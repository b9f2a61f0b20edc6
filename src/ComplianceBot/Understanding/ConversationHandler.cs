using System.Text.RegularExpressions;
using ComplianceBot.Conversations;
using ComplianceBot.Help;
using ComplianceBot.Reminders;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Understanding;

/// <summary>help (what the bot does, and how-to answers about delegation, reminders, escalation, channels) and small talk (one friendly line).</summary>
public sealed partial class ConversationHandler(FlowLookup flows, IOptions<ReminderOptions> reminders) : IIntentHandler
{
    public IReadOnlyList<string> Labels { get; } = [IntentLabels.Help, IntentLabels.Smalltalk];

    public bool AllowsUnknownUsers => true;

    public async Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken)
    {
        var lower = request.Text.ToLowerInvariant();
        if (request.Intent.Label == IntentLabels.Smalltalk)
        {
            return [new Reply(lower switch
            {
                _ when ThanksPattern().IsMatch(lower) => "You're welcome!",
                _ when ByePattern().IsMatch(lower) => "Bye for now! I'm here whenever you need me.",
                _ when NeverMindPattern().IsMatch(lower) => "No problem. Type \"help\" whenever you want to see what I can do.",
                _ when HowAreYouPattern().IsMatch(lower) => "All good here, thanks! Anything compliance-related I can do for you?",
                _ => "👍 Anything else I can help with?",
            })];
        }

        var options = reminders.Value;
        var howTo = lower switch
        {
            _ when DelegationPattern().IsMatch(lower) =>
                "While you're away, a delegate can attest and upload evidence for your tasks: ask the compliance team to set one (with an end date). Everything the delegate records names both of you. A task that should belong to someone else for good: use \"Not mine\" on it.",
            _ when EscalationPattern().IsMatch(lower) =>
                $"If a task goes overdue I remind you each working day; after {options.EscalateToManagerAfterBusinessDays} working days your manager is told, and after {options.EscalateToChannelAfterBusinessDays} the compliance channel. Attesting \"not performed\" with a note is always better than silence.",
            _ when ReminderPattern().IsMatch(lower) =>
                $"I remind you {string.Join(" and ", options.EffectiveDaysBeforeDue.Select(d => $"{d} day{(d == 1 ? "" : "s")}"))} before a task is due, on the due date, then each working day while it is overdue — at the start of your working day, in your time zone. \"Snooze\" moves a reminder to tomorrow or Monday; \"Not mine\" passes the task on.",
            _ when ChannelPattern().IsMatch(lower) =>
                "I work in Slack, Microsoft Teams and the web chat. Your tasks, attestations and evidence stay in our direct messages; in a shared channel, mention me and I'll answer questions there and keep anything personal to a DM.",
            _ => null,
        };

        if (howTo is not null)
        {
            return [new Reply(howTo) { Actions = [HelpFlow.AskButton] }];
        }

        return await flows.RunAsync(HelpFlow.FlowName, request.Context, cancellationToken);
    }

    [GeneratedRegex(@"\b(thanks|thank|thx|ty|cheers|ta|tysm)\b|🙏")]
    private static partial Regex ThanksPattern();

    [GeneratedRegex(@"\b(bye|goodbye|see (you|ya)|later|good night|have a good)\b")]
    private static partial Regex ByePattern();

    [GeneratedRegex(@"\b(never ?mind|nvm|forget it|ignore that)\b")]
    private static partial Regex NeverMindPattern();

    [GeneratedRegex(@"\b(how are you|how's it going|how r u)\b")]
    private static partial Regex HowAreYouPattern();

    [GeneratedRegex(@"\b(delegat\w*|on leave|on holiday|away|behalf|while i'?m off|cover for)\b")]
    private static partial Regex DelegationPattern();

    [GeneratedRegex(@"\b(escalat\w*|late|miss|overdue|manager)\b")]
    private static partial Regex EscalationPattern();

    [GeneratedRegex(@"\b(remind\w*|time ?zone|working hours|notif\w*)\b")]
    private static partial Regex ReminderPattern();

    [GeneratedRegex(@"\b(channel|channels|dm|dms|teams|slack|group)\b")]
    private static partial Regex ChannelPattern();
}
