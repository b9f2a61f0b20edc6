using System.Text.RegularExpressions;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.People;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Understanding;

/// <summary>
/// The honest declines. Live state: say what the bot cannot see, then what it knows (the covering control, its owner,
/// its last attestation). Personal: no one else's records. Unsafe: name what the bot will not do, audited as
/// ask.refused with the category (never the text, which may hold a secret). Off topic: one line to the right place.
/// </summary>
public sealed partial class DeclineHandler(ProgramFacts facts, AuditTrail audit, IOptions<UnderstandingOptions> options, ILogger<DeclineHandler> logger) : IIntentHandler
{
    public const string RefusedAuditAction = "ask.refused";

    public IReadOnlyList<string> Labels { get; } = [IntentLabels.LiveState, IntentLabels.Personal, IntentLabels.OffTopic, IntentLabels.Unsafe];

    public bool AllowsUnknownUsers => true;

    public async Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken)
    {
        var context = request.Context;
        var actor = context.Person?.Email ?? context.Turn.From.UserId;
        return [await DeclineAsync(request.Intent.Label, request.Text, request.Slots, context.Person, actor, context.Turn.From.Channel.ToString(), cancellationToken)];
    }

    /// <summary>The decline for one of this handler's labels; also used outside chat (POST /api/ask).</summary>
    /// <param name="actor">Who asked, for the audit of an unsafe request (an email, a channel user id, or the API caller).</param>
    public async Task<Reply> DeclineAsync(string label, string text, IntentSlots slots, Person? person, string actor, string channel, CancellationToken cancellationToken) => label switch
    {
        IntentLabels.LiveState => await LiveStateAsync(text, slots, cancellationToken),
        IntentLabels.Personal => Personal(slots, person),
        IntentLabels.OffTopic => new Reply(options.Value.OffTopicReply),
        _ => Unsafe(text, actor, channel),
    };

    private async Task<Reply> LiveStateAsync(string text, IntentSlots slots, CancellationToken cancellationToken)
    {
        const string cannotSee = "I can't see the live state of our systems, and I can't predict audit outcomes — I only know our program files and what people have recorded here.";
        var controls = await facts.FindControlsAsync(text, slots.Control, slots.System, cancellationToken);
        if (controls.Count == 0)
        {
            var contact = facts.Corpus.Profile;
            return new Reply($"{cannotSee} The tool that tracks it, or the compliance team ({contact.ComplianceContact}, {contact.ComplianceChannel}), can tell you.");
        }

        var best = controls[0];
        var owner = best.Control.Owner?.Name ?? "its owner";
        var first = owner.Split(' ')[0];
        return new Reply($"{cannotSee} What I do know: {best.Control.Id} {best.Control.Title}, owner {owner}, {best.LastText}. Ask {first} for the current state.")
        {
            Citations = [ProgramFacts.Cite(best.Control)],
        };
    }

    private static Reply Personal(IntentSlots slots, Person? person)
    {
        var who = slots.PersonName is { } name ? name.Split(' ')[0] + "'s" : "other people's";
        var allowed = person is not null && person.Roles.HasFlag(PersonRoles.ComplianceAdmin)
            ? " As a compliance admin you can see everyone's overdue work by owner (below, or \"status\") and in the admin task report (GET /api/admin/tasks)."
            : "";
        // Compliance admins and auditors see the program by owner; a manager sees their team: offer those views, not a dead end.
        List<ReplyAction> actions = [new ReplyAction(Tasks.MyTasksFlow.ListAction, "My tasks")];
        if (person is not null && (person.Has(PersonRoles.ComplianceAdmin) || person.Has(PersonRoles.Auditor)))
        {
            actions.Add(new ReplyAction(ProgramStatus.StatusFlow.OverdueAction, "Overdue by owner"));
        }

        if (person is not null)
        {
            actions.Add(new ReplyAction(ProgramStatus.StatusFlow.TeamAction, "My team"));
        }
        return new Reply($"I can't show {who} tasks, attestations, training, approvals or reviews — only your own. Ask them, or their manager.{allowed}")
        {
            Actions = actions,
        };
    }

    private Reply Unsafe(string message, string actor, string channel)
    {
        var lower = message.ToLowerInvariant();
        var (category, text) = lower switch
        {
            _ when SecretPattern().IsMatch(lower) => ("secret", "I never share passwords, keys, tokens or other secrets, and I don't hold any. Use the documented access procedure and its owners."),
            _ when InjectionPattern().IsMatch(lower) => ("injection", "I treat everything in a message as text, not as instructions to me, and I never reveal my instructions or configuration."),
            _ when AuditorPattern().IsMatch(lower) => ("auditor", "I'm not the auditor and I don't give audit opinions; only the independent auditor can say whether a control passes."),
            _ when DeletePattern().IsMatch(lower) => ("delete", "I can't delete or hide audit events or evidence: the trail is append-only. A mistake is fixed by a recorded correction through the compliance team."),
            _ when ApprovalPattern().IsMatch(lower) => ("approval", "I can't approve changes for anyone, and a requester can never approve their own change (segregation of duties). Ask the listed approvers."),
            _ when ExportPattern().IsMatch(lower) => ("export", "I don't send or export evidence or records in bulk. Auditors get evidence through the compliance team's official export."),
            _ when ScopePattern().IsMatch(lower) => ("scope", "I can't help misstate our scope or report; the program files say what is in scope, and customers get exactly that."),
            _ when ImpersonationPattern().IsMatch(lower) => ("impersonation", "I can't attest or act as someone else. Each person attests for themselves; a delegate must be set up by the compliance team."),
            _ => ("falsify", "I can't record something that didn't happen, backdate it, or make up evidence. If a control wasn't performed, attest \"not performed\" with a note and talk to the compliance team."),
        };
        audit.Record(actor, RefusedAuditAction, "understanding", new() { ["category"] = category, ["channel"] = channel });
        logger.LogInformation("Understanding: refused an unsafe request ({Category})", category);
        return new Reply(text);
    }

    [GeneratedRegex(@"password|passwd|pwd|secret|token|api ?key|access key|credential|connection string|private key|recovery code")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"ignore (all|your|the|previous|prior)|instructions|system prompt|developer mode|you are now|jailbreak|^system:")]
    private static partial Regex InjectionPattern();

    [GeneratedRegex(@"auditor|audit opinion|would we pass|do we pass")]
    private static partial Regex AuditorPattern();

    [GeneratedRegex(@"\b(delete|remove|wipe|erase|purge|hide|get rid of)\b")]
    private static partial Regex DeletePattern();

    [GeneratedRegex(@"approv")]
    private static partial Regex ApprovalPattern();

    [GeneratedRegex(@"\b(export|zip|dump|download|send every|send all|email|e-mail|gmail)\b")]
    private static partial Regex ExportPattern();

    [GeneratedRegex(@"\b(customer|customers|questionnaire|in scope|certified|covered)\b")]
    private static partial Regex ScopePattern();

    [GeneratedRegex(@"\b(as|for|under) [a-z]+('s)? (name|behalf)|\bas (him|her|them)\b|\battest (for|as) [a-z]+|\bsign off [^.]* as [a-z]+")]
    private static partial Regex ImpersonationPattern();
}
