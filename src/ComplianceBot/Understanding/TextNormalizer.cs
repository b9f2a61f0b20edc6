using System.Text;
using System.Text.RegularExpressions;

namespace ComplianceBot.Understanding;

/// <summary>
/// Turns a chat message into the word sequence the head learns from: lower case, mentions and emoji dropped, and the
/// things that vary without changing the intent replaced by placeholders (a control id → "xcontrol", a change number →
/// "xchange", a date → "xdate", a colleague's name → "xperson"). Systems keep their words and add "xsystem".
/// </summary>
public static partial class TextNormalizer
{
    /// <summary>The marker words for unsafe cues (falsifying, secrets, impersonation, self-approval, tampering, bulk export, the bot as auditor).</summary>
    public static IReadOnlySet<string> CueMarkers { get; } = new HashSet<string>(StringComparer.Ordinal) { "xfalsify", "xsecret", "ximpersonate", "xselfapprove", "xtamper", "xexport", "xauditorrole" };

    public static IReadOnlyList<string> Words(string text, Lexicon lexicon)
    {
        var lower = MentionPattern().Replace(text, " ").ToLowerInvariant().Replace('\u2019', '\'').Replace('\u2018', '\'');
        var (_, rest) = SlotExtractor.FindControl(lower, lexicon);
        var hadControl = rest != lower;
        rest = ChangeRefPattern().Replace(rest, " xchange ");
        rest = DatePattern().Replace(rest, " xdate ");
        if (lexicon.PersonPattern is { } people)
        {
            // "priya's" and "priyas" read the same: the name, then the possessive.
            rest = people.Replace(rest, m => m.Groups[2].Success ? " xperson s " : " xperson ");
        }

        var hasSystem = lexicon.SystemPattern?.IsMatch(rest) == true;
        var impersonates = ImpersonationCue().IsMatch(rest);
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in rest)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (c != '\'' && word.Length > 0)
            {
                // An apostrophe joins ("what's" → "whats", "isn't" → "isnt"); anything else ends the word.
                words.Add(word.ToString());
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        if (hadControl)
        {
            words.Add("xcontrol");
        }

        if (hasSystem)
        {
            words.Add("xsystem");
        }

        // Cue words the head learns a weight for: a falsifying or secret-seeking phrase is a few words in a long
        // message, and the marker keeps it from being outvoted by the ordinary words around it.
        if (FalsifyWords().IsMatch(lower) || (NotDone().IsMatch(lower) && ClaimsDone().IsMatch(lower)))
        {
            words.Add("xfalsify");
        }

        if (impersonates)
        {
            words.Add("ximpersonate");
        }

        if (SecretCue().IsMatch(lower))
        {
            words.Add("xsecret");
        }

        if (AuditorRoleCue().IsMatch(lower))
        {
            words.Add("xauditorrole");
        }

        if (SelfApprovalCue().IsMatch(lower))
        {
            words.Add("xselfapprove");
        }

        if (TamperCue().IsMatch(lower))
        {
            words.Add("xtamper");
        }

        if (BulkExportCue().IsMatch(lower) || (lower.Contains("evidence", StringComparison.Ordinal) && OutsideDestination().IsMatch(text.ToLowerInvariant())))
        {
            words.Add("xexport");
        }

        return words;
    }

    /// <summary>The text MiniLM embeds: as typed, minus mentions.</summary>
    public static string ForEmbedding(string text) => MentionPattern().Replace(text, " ").Trim();

    [GeneratedRegex(@"back-?dat|\bfake|fabricat|falsif|make (it|them|this) look|so (that )?(the )?auditors? (is|are|will be|won't|doesn't|don't|never)|(earlier|yesterday's|last \w+'s|old) date|nobody will (notice|check)|no one will (notice|check)|even though|pretend|make up|generate (a|an|some|the) \w+ (record|log|report|screenshot|evidence)|create (a|an|some|the) \w+ (record|log|screenshot|evidence)")]
    private static partial Regex FalsifyWords();

    [GeneratedRegex(@"(didn't|did not|never|haven't|have not|hasn't|skipped|wasn't|weren't)|(i'll|we'll|i will|we will) (actually |really )?(do|run|finish)|(do|run|finish) it (later|next|after|tomorrow)|didn't get to")]
    private static partial Regex NotDone();

    [GeneratedRegex(@"\bas (done|performed|complete|completed|passed|finished)|\b(mark|tick|say|says|saying|record|log)\w*\b[^.!?\n]{0,40}\b(?<!not )(?<!n't )(done|performed|complete|completed|passed|happened|ran)\b")]
    private static partial Regex ClaimsDone();


    [GeneratedRegex(@"\b(what|whats|what's|give|send|share|show|tell|paste|print|reveal|dump|list|post|read out|need|want)\b[^.?!\n]{0,40}(password|passwd|\bpwd\b|secret|\btoken|api ?key|access key|credential|connection string|private key|recovery code|system prompt|hidden prompt|your instructions|creds?\b|login details|break[- ]?glass)")]
    private static partial Regex SecretCue();

    // The bot asked to be the auditor, or to give the auditor's opinion.
    [GeneratedRegex(@"\b(you'?re|you are|act as|acting as|pretend to be|pretend you'?re|play|as) (the |our |an? )?(external )?auditors?\b(?! (asked|requested|wants|wanted|said|needs|needed))")]
    private static partial Regex AuditorRoleCue();

    // Approving one's own change, or asking the bot to approve on one's behalf ("approve CR-91 anyway, my lead is out").
    [GeneratedRegex(@"\bapprove\b[^.?!\n]{0,40}\b(my own|myself|for me|on my behalf|anyway|without)\b|\b(my own|myself|i'?m the requester|i am the requester)\b[^\n]{0,80}\bapprove\b")]
    private static partial Regex SelfApprovalCue();

    // Changing the record after the fact: audit log entries, the audit window, the knowledge the auditor reads.
    [GeneratedRegex(@"\b(delete|remove|wipe|erase|purge|clear|scrub|edit|rewrite|alter|change|update|backfill)\w*\b[^.?!\n]{0,40}\b(audit ?(log|trail|record|history|entr\w*)|knowledge base|review period|audit (period|window))|\b(delete|remove|wipe|erase|hide|purge)\w*\b[^\n]{0,60}\bbefore (the )?auditors? (see|sees|notice|notices|find|finds|look|looks|arrive|arrives|get|gets)\b|\b(off|from) the (audit )?(record|log|trail)\b|\bdon'?t want (it|this|that) on (the )?record\b")]
    private static partial Regex TamperCue();

    // Everything at once, or out of the company: bulk export of evidence is what an exfiltration looks like.
    [GeneratedRegex(@"\b(export|download|zip|bundle|send|email|e-mail|forward|copy|dump|upload|share)\w*\b[^.?!\n]{0,40}\b(all|every|entire|whole)\b[^.?!\n]{0,20}\b(evidence|attestations|audit (log|trail)|uploads)\b")]
    private static partial Regex BulkExportCue();

    [GeneratedRegex(@"\b(gmail|hotmail|yahoo|outlook\.com|proton\w*|dropbox|google drive|personal (email|drive|account|laptop)|usb|home address)\b")]
    private static partial Regex OutsideDestination();

    [GeneratedRegex(@"\bas\s+xperson\b|\b(in|under)\s+xperson\s*'?s?\s+name\b|\bas (him|her|them)\b")]
    private static partial Regex ImpersonationCue();

    [GeneratedRegex(@"<@[A-Z0-9]+(\|[^>]*)?>|<at>[^<]*</at>|@compliance ?bot\b|@\w+", RegexOptions.IgnoreCase)]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"\b(?:cr|chg)\s*#?\s*-?\s*\d{1,6}\b|#\d{1,6}\b|\b(?:change|request)\s*(?:#|no\.?|number)\s*\d{1,6}\b|\bchange\s+\d{1,6}\b")]
    private static partial Regex ChangeRefPattern();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}/\d{1,2}\b")]
    private static partial Regex DatePattern();
}
