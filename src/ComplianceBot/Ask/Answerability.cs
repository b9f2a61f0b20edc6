using System.Text.RegularExpressions;

namespace ComplianceBot.Ask;

/// <summary>Why the knowledge base cannot answer a question, or <see cref="None"/> when it can.</summary>
public enum Unanswerable
{
    None,

    /// <summary>It asks how things stand now in our systems; the files say what should happen, not what is.</summary>
    LiveState,

    /// <summary>It names something (a law, a product, a term) that no knowledge file mentions.</summary>
    UnknownSubject,

    /// <summary>It asks about another law or framework (HIPAA, GDPR, PCI DSS) rather than SOC 2.</summary>
    OtherFramework,

    /// <summary>It asks what will change; the files describe the criteria and the program as they are.</summary>
    Future,

    /// <summary>It asks for contract terms (a vendor's SLA, prices, penalties); the knowledge base holds no contracts.</summary>
    ContractTerms,

}

/// <summary>The verdict, with what it rests on: the unknown words, or the control that covers a live-state question.</summary>
public sealed record AnswerabilityVerdict(Unanswerable Reason, IReadOnlyList<string> UnknownWords, ControlFact? CoveringControl)
{
    public bool Answerable => Reason == Unanswerable.None;
}

/// <summary>
/// Decides whether the passages retrieval found can answer the question, not merely share words with it. The knowledge
/// base is normative (what criteria ask for, what our controls require, what is in scope), so a question about how
/// things stand right now is never grounded by it, however well its words match; and a question whose subject no file
/// mentions (a product, a law) is not grounded by passages about something else. Word overlap alone is left to
/// retrieval's confidence: on the dev set, stricter lexical tests refused more good questions than bad ones.
/// </summary>
public static partial class Answerability
{
    public static AnswerabilityVerdict Check(string question, Retrieval retrieval, SearchIndex index)
    {
        var corpus = index.Corpus;
        if (AsksLiveState(question, index))
        {
            return new(Unanswerable.LiveState, [], CoveringControl(question, retrieval, corpus));
        }

        var lower = question.ToLowerInvariant();
        if (OtherFramework().IsMatch(lower) && !Soc2().IsMatch(lower))
        {
            return new(Unanswerable.OtherFramework, [], null);
        }

        if (Future().IsMatch(lower))
        {
            return new(Unanswerable.Future, [], null);
        }

        if (ContractTerms().IsMatch(lower))
        {
            return new(Unanswerable.ContractTerms, [], null);
        }

        // A question that names one of our criteria or controls is about that id, which the sources are.
        if (retrieval.NamedIds.Count > 0)
        {
            return new(Unanswerable.None, [], null);
        }

        var unknown = UnknownNames(question, index);
        if (unknown.Count > 0)
        {
            return new(Unanswerable.UnknownSubject, unknown, null);
        }

        return new(Unanswerable.None, [], null);
    }

    /// <summary>
    /// A question about the present state of our own environment: a yes/no or count question about us (our, the
    /// organisation's names, a system) with a present-state marker or a state predicate ("enforced", "down", "open").
    /// </summary>
    public static bool AsksLiveState(string question, SearchIndex index)
    {
        var lower = question.ToLowerInvariant();
        // Who is on call (or on a rota) this week is in the paging tool, never in the files.
        if (Rota().IsMatch(lower) && NowMarker().IsMatch(lower))
        {
            return true;
        }

        var aboutUs = index.IsAboutUs(lower) || index.NamesSystem(lower);
        if (!aboutUs)
        {
            return false;
        }

        // "are our laptops required to be encrypted" asks what the rule is, which the files do answer.
        if (Normative().IsMatch(lower))
        {
            return false;
        }

        var stateQuestion = StateQuestion().IsMatch(lower);
        return CountQuestion().IsMatch(lower)
            || (stateQuestion && StatePredicate().IsMatch(lower))
            || (stateQuestion && NowMarker().IsMatch(lower) && PastEvent().IsMatch(lower));
    }

    /// <summary>Acronyms and capitalised names in the question that appear nowhere in the knowledge base (HIPAA, BAA, Jira).</summary>
    private static List<string> UnknownNames(string question, SearchIndex index)
    {
        var unknown = new List<string>();
        foreach (Match match in NamePattern().Matches(question))
        {
            var word = match.Value;
            var sentenceStart = match.Index == 0 || Regex.IsMatch(question[..match.Index], @"[.!?:\n]\s*$");
            var singular = word.Length > 2 && word[^1] == 's' ? word[..^1] : word;
            var acronym = singular.Length >= 2 && singular.All(c => char.IsUpper(c) || char.IsDigit(c) || c == '-');
            if ((!acronym && sentenceStart) || word.Length < 3 && !acronym)
            {
                continue;
            }

            // Short acronyms and ones with digits are mostly jargon around a known subject (FTEs, CTO, EC2, Q3, TLS);
            // a product or a law that no file mentions has a longer name (HIPAA, GDPR, PCI-DSS, Jira).
            var letters = singular.Count(char.IsLetter);
            if (acronym && (letters < 4 || word.Any(char.IsDigit)))
            {
                continue;
            }

            var terms = TextAnalyzer.Terms(word);
            if (terms.Count > 0 && terms.All(t => !index.KnowsTerm(t) && !index.Corpus.PeopleNames.Contains(t)))
            {
                unknown.Add(word);
            }
        }

        return unknown;
    }

    private static ControlFact? CoveringControl(string question, Retrieval retrieval, KnowledgeCorpus corpus)
    {
        // The control whose title says what is asked about ("MFA enforcement" for "is MFA enforced…") beats whichever
        // control retrieval ranked first; retrieval's ranking breaks ties and decides when no title matches.
        var asked = TextAnalyzer.Terms(question).ToHashSet(StringComparer.Ordinal);
        var retrieved = retrieval.Documents.Take(5).Where(d => d.Document.Kind == SourceKind.Control).Select(d => d.Document.Id).ToList();
        var byTitle = corpus.Controls
            .Select(c => (Control: c, Overlap: TextAnalyzer.Terms(c.Title).Distinct(StringComparer.Ordinal).Count(asked.Contains)))
            .Where(s => s.Overlap > 0)
            .OrderByDescending(s => s.Overlap)
            .ThenBy(s => retrieved.IndexOf(s.Control.Id) is var rank and >= 0 ? rank : int.MaxValue)
            .FirstOrDefault();
        if (byTitle.Control is { } titled)
        {
            return titled;
        }

        if (retrieved.Count > 0 && corpus.Controls.FirstOrDefault(c => c.Id == retrieved[0]) is { } control)
        {
            return control;
        }

        var criterion = retrieval.Documents.Take(3).FirstOrDefault(d => d.Document.Kind == SourceKind.Criterion)?.Document.Id;
        return criterion is null ? null : corpus.Controls.FirstOrDefault(c => c.Criteria.Contains(criterion, StringComparer.Ordinal));
    }

    [GeneratedRegex(@"\b(currently|right now|at the moment|at present|as of (now|today)|today|tonight|this (morning|afternoon|week)|last night|yesterday|so far)\b")]
    private static partial Regex NowMarker();

    [GeneratedRegex(@"\b(require[sd]?|requirements?|need(s|ed)? to|must|should|supposed to|have to|has to|expected to|policy|policies|how often|how do|what does)\b")]
    private static partial Regex Normative();

    // A yes/no question about a state: "is MFA enforced", "are our backups encrypted", "did the restore test pass".
    [GeneratedRegex(@"(^|[.?!,;]\s*|\b(hey|hi|so|and|but|quick one)\W+)(is|are|was|were|did|does|do|has|have|had)\b")]
    private static partial Regex StateQuestion();

    [GeneratedRegex(@"\b(enabled|enforced|turned on|switched on|on for|off for|disabled|running|working|down|up and running|passing|failing|failed|succeeded|open|closed|patched|encrypted|rotated|configured|in place|deployed|compliant|breached|vulnerable|exposed|offboarded|deprovisioned|revoked|removed)\b")]
    private static partial Regex StatePredicate();

    [GeneratedRegex(@"\bhow many\b.{0,60}\b(open|outstanding|overdue|failing|passing|active|unpatched|critical|incidents?|alerts?|vulns?|vulnerabilities|tickets?)\b|\b(percent|percentage|%)\b.{0,40}\b(passing|failing|complete|compliant)\b")]
    private static partial Regex CountQuestion();

    [GeneratedRegex(@"\b(run|ran|happen|happening|happened|complete|completed|finish|finished|work|worked|pass|passed|fail|failed|succeed|succeeded)\b")]
    private static partial Regex PastEvent();

    // A capitalised word or an acronym (possibly with digits or a hyphen: "PCI-DSS", "ISO27001").
    [GeneratedRegex(@"(?<![\w-])[A-Z][A-Za-z0-9]*(?:-[A-Z0-9]+)*(?![\w-])")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\bsoc ?[123]\b|\btsc\b|\btrust services\b|\bcriteri|\baicpa\b|\bcc\d")]
    private static partial Regex Soc2();

    [GeneratedRegex(@"\b(hipaa|baa|phi|gdpr|ccpa|cpra|pci|pci-dss|fedramp|cmmc|sox|sarbanes|hitrust|dora|nis2|glba|ferpa|coppa)\b")]
    private static partial Regex OtherFramework();

    [GeneratedRegex(@"\bnext (version|revision|update|release) of\b|\bupcoming (changes?|revision|version)\b|\bfuture (version|revision|changes?)\b|\b(going to|will) change\b|\bwhat will (change|be)\b|\bpredict")]
    private static partial Regex Future();

    [GeneratedRegex(@"\b(what|which|how much|how many)\b[^.?!]{0,40}\b(sla|uptime|price|pricing|cost|fee|fees|penalt\w*|discount|renewal|liability|credits?)\b[^.?!]{0,60}\b(contract|agreement|msa|order form)\b")]
    private static partial Regex ContractTerms();

    [GeneratedRegex(@"\bon[- ]?call\b|\brota\b|\bon duty\b|\bshift\b")]
    private static partial Regex Rota();
}
