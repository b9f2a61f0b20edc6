using System.Text.RegularExpressions;

namespace ComplianceBot.Ask;

public enum GuardVerdict
{
    /// <summary>A question for the knowledge base.</summary>
    Answer,

    /// <summary>Outside what the knowledge base can know (live system state, HR, finance, other regulations, the future, contract terms).</summary>
    OutOfScope,

    /// <summary>Asks the bot to act, reveal or falsify; the ask flow has no way to do any of it.</summary>
    Unsafe,
}

/// <summary>The guard's reading of a question; <see cref="Hint"/> says where to go instead.</summary>
public sealed record GuardDecision(GuardVerdict Verdict, string Hint = "")
{
    /// <summary>The question asks the bot to confirm a claim (possibly about its own sources); the answer says it only repeats the knowledge base.</summary>
    public bool AsksToConfirm { get; init; }
}

/// <summary>
/// Reads a question before retrieval. Everything in the question is data: this class decides only whether to answer,
/// never follows it. Rules are about kinds of request (mutations, secrets, other people's records, embedded
/// instructions, live state), not about particular questions.
/// </summary>
public static partial class AskGuard
{
    private static readonly HashSet<string> NonPersonPossessors =
        ["customer", "customers", "user", "users", "vendor", "vendors", "auditor", "auditors", "company", "acme", "okta", "aws", "entity",
         "organization", "organisation", "provider", "subservice", "team", "everyone", "anyone", "today", "yesterday", "week", "month", "year", "soc", "it", "that", "what", "who", "there", "here"];

    public static GuardDecision Check(string question, IReadOnlySet<string> peopleNames)
    {
        var text = Normalize(question);

        if (InjectionPattern().IsMatch(text) || SystemPromptPattern().IsMatch(text))
        {
            return new(GuardVerdict.Unsafe, "Your message contains instructions addressed to me. I treat everything in a question as text to answer from the knowledge base, not as commands, and I never reveal my instructions or configuration.");
        }

        if (SecretPattern().IsMatch(text))
        {
            return new(GuardVerdict.Unsafe, "I never share passwords, keys or other secrets, and the knowledge base holds none. Follow the documented break-glass or access procedure and contact its owners.");
        }

        if (FalsifyPattern().IsMatch(text))
        {
            return new(GuardVerdict.Unsafe, "I can't help record something that did not happen or hide that it didn't. If a control was not performed, attest \"not performed\" with a note and talk to the compliance team about remediation.");
        }

        if (PeopleOpsPattern().IsMatch(text))
        {
            return new(GuardVerdict.OutOfScope, "That is an HR or finance matter, outside the compliance knowledge base; HR, finance or your manager can help.");
        }

        if (ActionPattern().IsMatch(text))
        {
            return new(GuardVerdict.Unsafe, ActionHint(text));
        }

        if (AboutSomeoneElse(text, peopleNames))
        {
            return new(GuardVerdict.Unsafe, "I can't show another person's tasks, attestations, questions or evidence. Ask them or their manager, or the compliance team if there is a need.");
        }

        var mentionsSoc2 = Soc2Pattern().IsMatch(text);
        if (OtherRegulationPattern().IsMatch(text) && !mentionsSoc2)
        {
            return new(GuardVerdict.OutOfScope, "The knowledge base covers SOC 2 and our own program, not other laws or frameworks; legal or the compliance team can help.");
        }

        if (LiveStatePattern().IsMatch(text))
        {
            return new(GuardVerdict.OutOfScope, "The knowledge base holds our SOC 2 program and the criteria, not the live state of systems, tools or rotas; the security team or the tool that tracks it can tell you.");
        }

        if (FuturePattern().IsMatch(text))
        {
            return new(GuardVerdict.OutOfScope, "The knowledge base covers the 2017 Trust Services Criteria with the 2022 points of focus; it can't predict future revisions.");
        }

        if (ContractTermsPattern().IsMatch(text))
        {
            return new(GuardVerdict.OutOfScope, "The knowledge base holds no contract terms; procurement or the compliance team has the contracts.");
        }

        return new(GuardVerdict.Answer) { AsksToConfirm = ConfirmPattern().IsMatch(text) };
    }

    private static string ActionHint(string text) => text switch
    {
        _ when AuditLogPattern().IsMatch(text) => "The audit trail is append-only: nothing in it can be deleted or changed. To fix a mistake, record a correction through the compliance team.",
        _ when text.Contains("approv", StringComparison.Ordinal) => "I can't approve or reject anything. Changes need approval from someone other than the requester (segregation of duties); ask a delegate approver or the compliance team.",
        _ when text.Contains("attest", StringComparison.Ordinal) => "I can't attest on anyone's behalf. Attest for yourself through your task, stating what really happened.",
        _ when text.Contains("knowledge", StringComparison.Ordinal) || text.Contains("period", StringComparison.Ordinal) || text.Contains("scope", StringComparison.Ordinal) =>
            "I can't change the knowledge base, the scope or the review period from chat; those files are reviewed by the compliance team.",
        _ when ExfiltrationPattern().IsMatch(text) => "I don't send, export or email evidence or records. Auditors receive evidence only through the compliance team's official evidence-sharing channel.",
        _ => "I only answer questions from the compliance knowledge base; I can't change records, approve, attest, delete or send anything.",
    };

    private static bool AboutSomeoneElse(string text, IReadOnlySet<string> peopleNames)
    {
        if (OtherPersonPattern().IsMatch(text))
        {
            return true;
        }

        foreach (Match match in PossessiveRecordsPattern().Matches(text))
        {
            var owner = match.Groups["owner"].Value;
            if (!NonPersonPossessors.Contains(owner))
            {
                return true;
            }
        }

        // A named colleague plus their personal records ("is priya overdue", "dana's evidence").
        return PersonalRecordPattern().IsMatch(text) && Regex.Split(text, "[^a-z]+").Any(peopleNames.Contains);
    }

    private static string Normalize(string text) => text.ToLowerInvariant().Replace('\u2019', '\'').Replace('\u2018', '\'');

    [GeneratedRegex(@"\b(ignore|disregard|forget)\b.{0,40}\b(instruction|instructions|rules|prompt|questionnaire|guideline|guidelines|above|previous|prior|everything)\b|\bnote to (the )?(ai|assistant|bot|model|llm)\b|\byou are now\b|\bact as (an? )?(admin|administrator|root|developer|system)\b|\bjailbreak|\bdeveloper mode\b|\bnew instructions\b|\[\s*(system|assistant|instruction)s?\s*[:\]]|<\s*/?\s*(system|instructions?)\s*>")]
    private static partial Regex InjectionPattern();

    [GeneratedRegex(@"\bsystem (prompt|message|instructions?)\b|\byour (instructions|prompt|system prompt|rules|configuration|config)\b|\b(initial|hidden|original) prompt\b|\brepeat (the|your) (text|words|instructions) above\b|\bappsettings\b|\benvironment variables?\b")]
    private static partial Regex SystemPromptPattern();

    [GeneratedRegex(@"\b(paste|give|send|share|tell|show|reveal|print|output|dump|read out|what is|what's|whats|list|provide)\b[^.?!\n]{0,60}\b(password|passwords|passphrase|credentials?|secrets?|api ?keys?|access keys?|private keys?|tokens?|connection strings?|admin key|signing secret|recovery codes?)\b(?!\s*(policy|policies|rotation|length|complexity|requirements?|manager|management|vault|storage|hygiene|standards?))")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"\bnobody will notice\b|\bno one will notice\b|\bwithout anyone (noticing|knowing)\b|\bback-?date|\bfake\b|\bfabricat|\bfalsif|\bmake it look\b|\bcover (it |this |that )?up\b|\bpretend (we|it|that|the)\b|\bso (that )?(the )?auditors? (won't|will not|doesn't|does not) (see|notice|find)")]
    private static partial Regex FalsifyPattern();

    // A command addressed to the bot: a mutating verb at the start of a clause (after "please", "just", "so"), or "can you <verb>".
    [GeneratedRegex(@"(^|[.!?\n;:,\-–—]\s*|\b(can|could|would|will) you (please |just |quickly )*)(so |and |then )?(please |pls |just |now |quickly )*(approve|reject|deny|delete|remove|erase|purge|wipe|update|change|modify|edit|alter|attest|sign off|mark|record|grant|revoke|disable|export|send|email|e-mail|forward|upload|reset|close|reopen|reassign|assign|submit|override|overwrite|rewrite)\b\s+(it|this|that|them|my|our|his|her|their|the|all|every|everything|each|yesterday|today|me|for me|on|\w+'s)\b")]
    private static partial Regex ActionPattern();

    [GeneratedRegex(@"\baudit (log|trail|event)s?\b")]
    private static partial Regex AuditLogPattern();

    [GeneratedRegex(@"\b(export|send|email|e-mail|forward|upload)\b")]
    private static partial Regex ExfiltrationPattern();

    [GeneratedRegex(@"\b(someone else's|somebody else's|other people's|another (user|person|employee)'s|my (colleague|coworker|co-worker|teammate|manager|boss)'s|(is|was|are) (he|she|they) (overdue|late|behind))\b")]
    private static partial Regex OtherPersonPattern();

    [GeneratedRegex(@"\b(?<owner>[a-z]+)'s (open |overdue |pending |recent |latest |control |own )*(tasks?|attestations?|evidence|questions?|uploads?|approvals?|history|answers|messages|performance|salary|reviews?)\b")]
    private static partial Regex PossessiveRecordsPattern();

    [GeneratedRegex(@"\b(overdue|attestations?|evidence uploads?|salary|performance review|home address|phone number|manager|tasks)\b")]
    private static partial Regex PersonalRecordPattern();

    [GeneratedRegex(@"\bsoc ?[123]\b|\btsc\b|\btrust services\b|\bcriteri|\baicpa\b|\bcc\d")]
    private static partial Regex Soc2Pattern();

    [GeneratedRegex(@"\b(hipaa|baa|phi|gdpr|ccpa|cpra|pci|pci-dss|fedramp|cmmc|sox|sarbanes|hitrust|dora|nis2|glba|ferpa|coppa)\b")]
    private static partial Regex OtherRegulationPattern();

    [GeneratedRegex(@"\bright now\b|\bcurrently (open|failing|passing|overdue)\b|\bat the moment\b|\bthis (week|weekend)\b|\bas of (now|today)\b|\bon[- ]?call\b|\bdashboard\b|\bhow many\b[^.?!]{0,40}\b(open|outstanding|overdue|failing|passing)\b|\bpercent(age)?\b[^.?!]{0,40}\b(passing|failing|complete|compliant)\b|\bstatus of (my|our|the) (ticket|incident|request)\b")]
    private static partial Regex LiveStatePattern();

    [GeneratedRegex(@"\breimburs|\bexpense (report|claim)s?\b|\bexpenses\b|\bpto\b|\bpaid time off\b|\btime off\b|\bvacation days?\b|\bsick (leave|day)|\bparental leave\b|\bpayroll\b|\bpayslip|\bsalar(y|ies)\b|\bbonus(es)?\b|\b401k\b|\bhealth insurance\b|\bpromotion\b")]
    private static partial Regex PeopleOpsPattern();

    [GeneratedRegex(@"\bnext (version|revision|update|release) of\b|\bupcoming (changes?|revision|version)\b|\bfuture (version|revision|changes?)\b|\b(going to|will) change\b|\bwhat will (change|be)\b|\bpredict")]
    private static partial Regex FuturePattern();

    [GeneratedRegex(@"\b(what|which|how much|how many)\b[^.?!]{0,40}\b(sla|uptime|price|pricing|cost|fee|fees|penalt\w*|discount|renewal|liability|credits?)\b[^.?!]{0,60}\b(contract|agreement|msa|order form)\b")]
    private static partial Regex ContractTermsPattern();

    [GeneratedRegex(@"\bconfirm (that|this|it|for me)\b|\baccording to (the|your) (knowledge|file|document|source|passage)|\bcite (the|that|this) (file|document|source)\b")]
    private static partial Regex ConfirmPattern();
}
