using System.Text;
using System.Text.RegularExpressions;
using ComplianceBot.Conversations;

namespace ComplianceBot.Ask;

/// <summary>
/// Writes an answer without a language model: it picks the cited sources from the ranking and quotes the sentences of
/// those sources that best match the question (what the criterion asks, the matching points of focus and
/// misconceptions, how the organisation meets it, what auditors look for). Everything it says is a sentence from the knowledge base
/// or a fact from the program files, so it cannot invent a frequency, a scope or an opinion.
/// </summary>
public sealed partial class OfflineComposer
{
    // Citations come from the few best-ranked sources, judged by their raw strength (RankedDocument.Strength), not by
    // the flat fusion score: a source is cited when it is nearly as strong as the strongest one. The best-fitting
    // criterion is cited even when a concept or program text is stronger (an auditor-facing answer names its criterion),
    // as long as it is clearly related; further criteria must be nearly as strong as that one. Never padded.
    private const int CitationCandidates = 6;
    private const double CitationRatio = 0.75;
    private const double CriterionFloor = 0.5;

    public AskAnswer Compose(string question, Retrieval retrieval, KnowledgeCorpus corpus, int maxCitations, bool asksToConfirm)
    {
        var cited = SelectSources(retrieval, maxCitations, corpus);
        var query = TextAnalyzer.QueryTerms(question);
        var text = new StringBuilder();
        if (asksToConfirm)
        {
            text.AppendLine("I can only repeat what our knowledge base says; I can't confirm claims it does not make or cite a source for them. Here is what it says:").AppendLine();
        }

        // The direct answer first, in one sentence; the sources' detail follows (each sentence said once).
        var said = new HashSet<string>(StringComparer.Ordinal);
        if (!asksToConfirm && cited.Count > 0 && DirectAnswer(cited[0], query) is { } lead)
        {
            text.AppendLine(lead).AppendLine();
            said.Add(lead);
        }

        for (var i = 0; i < cited.Count; i++)
        {
            WriteSource(text, cited[i], query, corpus, primary: i == 0, said);
        }

        var main = cited.FirstOrDefault(c => c.Document.Kind == SourceKind.Criterion)?.Document.Id;
        return new AskAnswer(text.ToString().Trim(), [.. cited.Select(c => ToCitation(c.Document))], Refused: false) { MainCriterion = main };
    }

    public static Citation ToCitation(SourceDocument document) => new(document.Id, document.Title, document.Source);

    /// <summary>
    /// The strongest sources among the best-ranked few (see the constants above). When the question names ids, those are the answer's subject: they are
    /// cited first (a named control brings the criteria it is mapped to), and other sources only if nothing was named.
    /// </summary>
    public static List<RankedDocument> SelectSources(Retrieval retrieval, int maxCitations, KnowledgeCorpus? corpus = null)
    {
        var ranked = retrieval.Documents;
        if (ranked.Count == 0)
        {
            return [];
        }

        var exact = ranked.Where(r => r.ExactMatch).ToList();
        if (exact.Count > 0)
        {
            var selected = new List<RankedDocument>(exact);
            foreach (var control in exact.Where(e => e.Document.Kind == SourceKind.Control))
            {
                foreach (var criterion in control.Document.RelatedCriteria)
                {
                    if (selected.Any(s => s.Document.Id == criterion))
                    {
                        continue;
                    }

                    var match = ranked.FirstOrDefault(r => r.Document.Id == criterion);
                    if (match is null && corpus is not null && corpus.Documents.TryGetValue(criterion, out var document))
                    {
                        match = new RankedDocument(document, 0, 0, false, [.. corpus.Passages.Where(p => p.DocumentId == criterion)]);
                    }

                    if (match is not null)
                    {
                        selected.Add(match);
                    }
                }
            }

            return [.. selected.Take(Math.Max(maxCitations, exact.Count))];
        }

        var candidates = ranked.Take(CitationCandidates).ToList();
        var top = candidates.Max(r => r.Strength);
        var bestCriterion = candidates.Where(r => r.Document.Kind == SourceKind.Criterion).MaxBy(r => r.Strength);
        var cited = candidates.Where(r => r.Document.Kind == SourceKind.Criterion
                ? r.Strength >= top * CriterionFloor && r.Strength >= bestCriterion!.Strength * CitationRatio
                : r.Strength >= top * CitationRatio)
            .ToList();
        if (cited.Count == 0)
        {
            cited.Add(ranked[0]);
        }

        return [.. cited.OrderByDescending(r => r.Strength).ThenBy(r => candidates.IndexOf(r)).Take(maxCitations)];
    }

    /// <summary>The sentence of a criterion or concept that best answers the question (its opening sentence when none shares a word with it).</summary>
    private static string? DirectAnswer(RankedDocument ranked, IReadOnlyList<(string Term, double Weight)> query)
    {
        if (ranked.Document.Kind is not (SourceKind.Criterion or SourceKind.Concept))
        {
            return null;
        }

        var terms = query.ToDictionary(q => q.Term, q => q.Weight, StringComparer.Ordinal);
        var sentences = ranked.Passages.Where(p => p.Section != "overview")
            .SelectMany(p => Sentences(p.Text))
            .Where(s => s.Length is > 30 and < 400 && !s.EndsWith(':'))
            .ToList();
        return sentences.Select(s => (Sentence: s, Score: TextAnalyzer.Terms(s).Distinct().Sum(t => terms.GetValueOrDefault(t))))
            .OrderByDescending(s => s.Score).Select(s => s.Sentence).FirstOrDefault();
    }

    private static void WriteSource(StringBuilder text, RankedDocument ranked, IReadOnlyList<(string Term, double Weight)> query, KnowledgeCorpus corpus, bool primary, HashSet<string> said)
    {
        var document = ranked.Document;
        switch (document.Kind)
        {
            case SourceKind.Criterion:
                WriteCriterion(text, ranked, query, corpus, primary, said);
                break;
            case SourceKind.Concept:
                text.AppendLine($"**{document.Title}** [{document.Id}]");
                AppendLead(text, ranked, "Summary", primary ? 3 : 2);
                AppendBest(text, ranked, query, primary ? 3 : 1, skipSection: "Summary", said);
                text.AppendLine();
                break;
            case SourceKind.Program:
                text.AppendLine($"**{document.Title}** [{document.Id}]");
                foreach (var passage in ranked.Passages.Where(p => p.Section != "overview").Take(primary ? 3 : 1))
                {
                    text.AppendLine(passage.Text.Trim());
                }

                text.AppendLine();
                break;
            default:
                text.AppendLine($"{ranked.Passages[0].Text} [{document.Id}]").AppendLine();
                break;
        }
    }

    private static void WriteCriterion(StringBuilder text, RankedDocument ranked, IReadOnlyList<(string Term, double Weight)> query, KnowledgeCorpus corpus, bool primary, HashSet<string> said)
    {
        var document = ranked.Document;
        var outOfScope = document.Category is { } category && corpus.Profile.CategoriesOutOfScope.Any(c => string.Equals(c, category, StringComparison.OrdinalIgnoreCase));
        text.AppendLine($"**{document.Id} — {document.Title}** ({document.Category}{(outOfScope ? ", not in our SOC 2 scope" : "")})");
        AppendLead(text, ranked, "What it asks", primary ? 2 : 1);
        AppendBest(text, ranked, query, primary ? 4 : 2, skipSection: "What it asks", said);
        if (outOfScope)
        {
            text.AppendLine($"- Note: {document.Category} is an optional category and is not in {Organisation(corpus)}'s SOC 2 scope " +
                            $"(in scope: {string.Join(", ", corpus.Profile.CategoriesInScope)}), so this criterion applies only where {document.Category} is in scope.");
        }

        if (primary)
        {
            var controls = corpus.Controls.Where(c => c.Criteria.Contains(document.Id, StringComparer.Ordinal)).ToList();
            if (controls.Count > 0)
            {
                text.AppendLine($"- How {Organisation(corpus)} meets it: " + string.Join("; ", controls.Select(c => $"{c.Id} {c.Title} (owner {c.OwnerName}, {c.Frequency})")) + ".");
            }

            var evidence = ranked.Passages.FirstOrDefault(p => p.Section.StartsWith("Evidence", StringComparison.OrdinalIgnoreCase));
            if (evidence is not null && Sentences(evidence.Text).Take(2).ToList() is { Count: > 0 } items)
            {
                text.AppendLine("- Evidence auditors look for: " + string.Join("; ", items.Select(i => i.TrimEnd('.'))) + ".");
            }
        }

        text.AppendLine();
    }

    private static string Organisation(KnowledgeCorpus corpus) => corpus.Profile.Organisation is { Length: > 0 } name ? name : "our organisation";

    private static void AppendLead(StringBuilder text, RankedDocument ranked, string section, int sentences)
    {
        var passage = ranked.Passages.FirstOrDefault(p => p.Section.Equals(section, StringComparison.OrdinalIgnoreCase));
        if (passage is not null)
        {
            text.AppendLine(string.Join(" ", Sentences(passage.Text).Take(sentences)));
        }
    }

    /// <summary>The sentences (or bullets) of the source that share the most distinctive words with the question.</summary>
    private static void AppendBest(StringBuilder text, RankedDocument ranked, IReadOnlyList<(string Term, double Weight)> query, int count, string skipSection, HashSet<string> said)
    {
        var terms = query.ToDictionary(q => q.Term, q => q.Weight, StringComparer.Ordinal);
        var candidates = ranked.Passages
            .Where(p => p.Section != "overview" && !p.Section.Equals(skipSection, StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => Sentences(p.Text).Where(s => !said.Contains(s)).Select(s => (Sentence: s, Section: p.Section)))
            .Select(s => (s.Sentence, s.Section, Score: TextAnalyzer.Terms(s.Sentence).Distinct().Sum(t => terms.GetValueOrDefault(t))))
            .Where(s => s.Score > 0)
            .OrderByDescending(s => s.Score)
            .Take(count);
        foreach (var (sentence, _, _) in candidates)
        {
            text.AppendLine("- " + sentence);
        }
    }

    /// <summary>Bullets stay whole; prose is split into sentences; Markdown emphasis is dropped.</summary>
    internal static IEnumerable<string> Sentences(string text)
    {
        foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            var bullet = trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal);
            var content = bullet ? trimmed[2..].Trim() : trimmed;
            if (bullet)
            {
                yield return content;
                continue;
            }

            foreach (var sentence in SentenceSplit().Split(content).Where(s => s.Length > 0))
            {
                yield return sentence.Trim();
            }
        }
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z""(])")]
    private static partial Regex SentenceSplit();
}
