using System.Numerics.Tensors;
using System.Text.RegularExpressions;

namespace ComplianceBot.Ask;

/// <summary>A document ranked for a question, with its best passages and the signals that put it there.</summary>
/// <remarks>
/// <see cref="Score"/> is the rank-fusion score that orders documents; it is deliberately flat (rank 1 and rank 2 differ by
/// a few percent) and says little about how much better the first is. <see cref="Strength"/> is the raw evidence instead:
/// BM25 and cosine, each scaled against the best document for this question, so "how close is the runner-up" can be asked.
/// </remarks>
public sealed record RankedDocument(SourceDocument Document, double Score, double Coverage, bool ExactMatch, IReadOnlyList<Passage> Passages)
{
    /// <summary>Raw-signal strength relative to the strongest document for the question, in [0, 1].</summary>
    public double Strength { get; init; }
}

/// <summary>What retrieval found: ranked documents (best first), the ids named in the question, and a confidence in [0, 1].</summary>
public sealed record Retrieval(IReadOnlyList<RankedDocument> Documents, IReadOnlyList<string> NamedIds, double Confidence)
{
    public static Retrieval Empty { get; } = new([], [], 0);
}

/// <summary>
/// An immutable index over one <see cref="KnowledgeCorpus"/>: BM25 over whole documents and over passages, optional
/// MiniLM passage vectors, fused with reciprocal rank fusion; exact criterion and control ids jump to the top.
/// </summary>
public sealed partial class SearchIndex
{
    // Reciprocal rank fusion constant (60 in the original paper; smaller trusts the top ranks more on a small corpus).
    private const double RrfK = 20;
    private const double DenseWeight = 0.6;
    private const double BoostWeight = 0.6;

    private readonly KnowledgeCorpus _corpus;
    private readonly List<SourceDocument> _documents;
    private readonly Dictionary<string, int> _documentIndex;
    private readonly List<int>[] _passagesOfDocument;
    private readonly Bm25 _documentBm25;
    private readonly Bm25 _passageBm25;
    private readonly float[][]? _vectors;
    private readonly Dictionary<string, string> _criterionIdsByKey;
    private readonly Dictionary<string, string> _controlIdsByKey;
    private readonly Regex _aboutUs;
    private readonly Regex? _systems;

    public SearchIndex(KnowledgeCorpus corpus, float[][]? passageVectors = null)
    {
        _corpus = corpus;
        _documents = [.. corpus.Documents.Values.OrderBy(d => d.Id, StringComparer.Ordinal)];
        _documentIndex = _documents.Select((d, i) => (d.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.OrdinalIgnoreCase);
        _passagesOfDocument = [.. _documents.Select(_ => new List<int>())];
        for (var i = 0; i < corpus.Passages.Count; i++)
        {
            _passagesOfDocument[_documentIndex[corpus.Passages[i].DocumentId]].Add(i);
        }

        _passageBm25 = new Bm25([.. corpus.Passages.Select(UnitTerms)]);
        _documentBm25 = new Bm25([.. _documents.Select((d, i) =>
        {
            var passages = _passagesOfDocument[i].Select(p => corpus.Passages[p]).ToList();
            var body = passages.SelectMany(p => TextAnalyzer.Terms(p.Text).Select(t => (t, 1.0)));
            var boost = passages.Count == 0 ? [] : TextAnalyzer.Terms(passages[0].IndexBoost).Select(t => (t, BoostWeight * 2));
            return body.Concat(boost);
        })]);
        _vectors = passageVectors;
        _criterionIdsByKey = corpus.CriterionIds.ToDictionary(CriterionKey, id => id, StringComparer.Ordinal);
        _controlIdsByKey = corpus.Controls.ToDictionary(c => ControlKey(c.Id), c => c.Id, StringComparer.Ordinal);
        _aboutUs = AboutUsPattern(corpus.Profile);
        var systemNames = corpus.Systems.SelectMany(s => s.Aliases.Prepend(s.Name)).Where(n => n.Length > 0).OrderByDescending(n => n.Length).Select(Regex.Escape).ToList();
        _systems = systemNames.Count == 0 ? null : new Regex($@"(?<![\w-])({string.Join('|', systemNames)})(?![\w-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>Whether the text names one of our systems or its aliases (knowledge/program/systems.yaml).</summary>
    public bool NamesSystem(string text) => _systems?.IsMatch(text) == true;

    /// <summary>Whether any knowledge document holds the (stemmed) term.</summary>
    public bool KnowsTerm(string term) => _documentBm25.Knows(term);


    /// <summary>"our", "we" and the organisation's own names from knowledge/program/program.yaml (name and aliases).</summary>
    public static Regex AboutUsPattern(Knowledge.ProgramProfile profile)
    {
        var names = profile.OrganisationNames.Select(n => Regex.Escape(n.Trim()).Replace(@"\ ", @"\s+", StringComparison.Ordinal));
        return new Regex($@"\b({string.Join('|', names.Concat(["ours", "our", "we", "us"]))})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>Whether the question is about the organisation itself ("our", "we", its name or an alias).</summary>
    public bool IsAboutUs(string question) => _aboutUs.IsMatch(question);

    public KnowledgeCorpus Corpus => _corpus;

    public bool HasVectors => _vectors is not null;

    private static IEnumerable<(string, double)> UnitTerms(Passage passage) =>
        TextAnalyzer.Terms(passage.Text).Select(t => (t, 1.0)).Concat(TextAnalyzer.Terms(passage.IndexBoost).Select(t => (t, BoostWeight)));

    /// <summary>Criterion and control ids named in the text, in any common spelling ("cc 6.1", "CC6-1", "cc61", "ac01").</summary>
    public IReadOnlyList<string> FindIds(string text)
    {
        var found = new List<string>();
        foreach (Match match in CriterionPattern().Matches(text))
        {
            var key = $"{match.Groups["series"].Value.ToLowerInvariant()}{match.Groups["major"].Value}.{match.Groups["minor"].Value}";
            if (_criterionIdsByKey.TryGetValue(key, out var id) && !found.Contains(id))
            {
                found.Add(id);
            }
        }

        foreach (Match match in ControlPattern().Matches(text))
        {
            var key = $"{match.Groups["prefix"].Value.ToLowerInvariant()}-{match.Groups["number"].Value}";
            if (_controlIdsByKey.TryGetValue(key, out var id) && !found.Contains(id))
            {
                found.Add(id);
            }
        }

        return found;
    }

    /// <param name="queryVector">The question's MiniLM vector, or null to rank lexically only (model still loading).</param>
    public Retrieval Search(string question, float[]? queryVector = null, int take = 8)
    {
        var named = FindIds(question);
        var query = TextAnalyzer.QueryTerms(question);
        if (query.Count == 0 && named.Count == 0)
        {
            return Retrieval.Empty;
        }

        var documentScores = _documentBm25.Score(query);
        var passageScores = _passageBm25.Score(query);
        var denseScores = queryVector is not null && _vectors is not null ? _vectors.Select(v => Dot(v, queryVector)).ToArray() : null;

        // Document signals: BM25 over the whole file, the best passage's BM25, and the best passage's cosine.
        var bestPassage = new double[_documents.Count];
        var bestDense = new double[_documents.Count];
        for (var d = 0; d < _documents.Count; d++)
        {
            foreach (var p in _passagesOfDocument[d])
            {
                bestPassage[d] = Math.Max(bestPassage[d], passageScores[p]);
                bestDense[d] = Math.Max(bestDense[d], denseScores?[p] ?? 0);
            }
        }

        var fused = new double[_documents.Count];
        AddRanks(fused, documentScores, 1.0);
        AddRanks(fused, bestPassage, 0.7);
        if (denseScores is not null)
        {
            AddRanks(fused, bestDense, DenseWeight);
        }

        // Raw-score strength (see RankedDocument): each signal scaled by the best document's, cosine above a floor
        // (the median document's) so that "somewhat related", which every SOC 2 text is, counts for little.
        var strength = new double[_documents.Count];
        var maxDocument = documentScores.DefaultIfEmpty(0).Max();
        var maxPassage = bestPassage.DefaultIfEmpty(0).Max();
        var denseFloor = denseScores is null ? 0 : bestDense.Order().ElementAt(bestDense.Length / 2);
        var denseTop = bestDense.DefaultIfEmpty(0).Max();
        for (var d = 0; d < _documents.Count; d++)
        {
            var lexical = (maxDocument > 0 ? documentScores[d] / maxDocument : 0) + 0.7 * (maxPassage > 0 ? bestPassage[d] / maxPassage : 0);
            var dense = denseScores is not null && denseTop > denseFloor ? Math.Max(0, (bestDense[d] - denseFloor) / (denseTop - denseFloor)) : 0;
            strength[d] = denseScores is null ? lexical / 1.7 : (lexical + DenseWeight * dense) / (1.7 + DenseWeight);
            strength[d] *= fused[d] > 0 ? 1 : 0;
        }

        // A question that matches a control's description is about the criteria that control is mapped to.
        for (var d = 0; d < _documents.Count; d++)
        {
            if (_documents[d].Kind == SourceKind.Control && fused[d] > 0)
            {
                foreach (var criterion in _documents[d].RelatedCriteria)
                {
                    if (_documentIndex.TryGetValue(criterion, out var c))
                    {
                        fused[c] += 0.5 * fused[d] / _documents[d].RelatedCriteria.Count;
                        strength[c] += 0.5 * strength[d] / _documents[d].RelatedCriteria.Count;
                    }
                }
            }
        }

        // Controls and system entries answer "who owns" and "is X in scope" questions; elsewhere they only support the criteria.
        var asksOwner = OwnerIntent().IsMatch(question);
        var asksScope = ScopeIntent().IsMatch(question);
        var aboutUs = _aboutUs.IsMatch(question) || CustomerDutyIntent().IsMatch(question);
        var programIntent = aboutUs && (asksScope || CustomerDutyIntent().IsMatch(question));
        // "does our SOC 2 cover privacy" is about our scope, not about the privacy criteria.
        var category = !programIntent && CategoryIntent().Match(question) is { Success: true } m ? m.Value.ToLowerInvariant() : null;
        for (var d = 0; d < _documents.Count; d++)
        {
            var kindFactor = _documents[d].Kind switch
            {
                SourceKind.Control => asksOwner ? 1.0 : 0.5,
                SourceKind.System => asksScope || asksOwner ? 1.0 : 0.6,
                SourceKind.Program => programIntent ? (CustomerDutyIntent().IsMatch(question) ? 2.0 : 1.5) : 1.0,
                _ => 1.0,
            };
            fused[d] *= kindFactor;
            strength[d] *= kindFactor;

            // "the privacy criteria", "if processing integrity were in scope": that category's criteria are meant.
            if (category is not null && _documents[d].Category is { } documentCategory && documentCategory.StartsWith(category[..4], StringComparison.OrdinalIgnoreCase))
            {
                fused[d] *= 1.5;
                strength[d] *= 1.5;
            }
        }

        var exact = new HashSet<int>();
        foreach (var id in named)
        {
            var d = _documentIndex[id];
            exact.Add(d);
            fused[d] += 1.0;
            strength[d] = Math.Max(strength[d], 1.0);
        }

        // Query-term coverage: the share of the question's (idf-weighted) original words the document contains.
        var queryIdf = query.Where(q => q.Weight >= 1).Sum(q => _documentBm25.Idf(q.Term));
        double Coverage(int d) => queryIdf <= 0 ? 0 :
            query.Where(q => q.Weight >= 1 && _documentBm25.Contains(d, q.Term)).Sum(q => _documentBm25.Idf(q.Term)) / queryIdf;

        var ranked = Enumerable.Range(0, _documents.Count)
            .Where(d => fused[d] > 0)
            .OrderByDescending(d => fused[d]).ThenBy(d => _documents[d].Id, StringComparer.Ordinal)
            .Take(take)
            .Select(d => new RankedDocument(_documents[d], fused[d], Coverage(d), exact.Contains(d),
                [.. _passagesOfDocument[d]
                    .OrderByDescending(p => passageScores[p] / Math.Max(1e-9, bestPassage[d]) + (denseScores is null ? 0 : 0.5 * denseScores[p]))
                    .Select(p => _corpus.Passages[p])]) { Strength = strength[d] / Math.Max(1e-9, strength.Max()) })
            .ToList();

        var confidence = ranked.Count == 0 ? 0 : named.Count > 0 ? 1 : ranked.Take(3).Max(r => r.Coverage);
        return new Retrieval(ranked, named, confidence);
    }

    private static void AddRanks(double[] fused, double[] scores, double weight)
    {
        var order = Enumerable.Range(0, scores.Length).Where(i => scores[i] > 0).OrderByDescending(i => scores[i]).ToList();
        for (var rank = 0; rank < order.Count; rank++)
        {
            fused[order[rank]] += weight / (RrfK + rank + 1);
        }
    }

    // SIMD: every question is compared with every passage (hundreds of 384-wide dot products per turn).
    private static double Dot(float[] a, float[] b) => TensorPrimitives.Dot(a, b);

    private static string CriterionKey(string id)
    {
        var match = CriterionPattern().Match(id);
        return $"{match.Groups["series"].Value.ToLowerInvariant()}{match.Groups["major"].Value}.{match.Groups["minor"].Value}";
    }

    private static string ControlKey(string id)
    {
        var match = ControlPattern().Match(id);
        return $"{match.Groups["prefix"].Value.ToLowerInvariant()}-{match.Groups["number"].Value}";
    }

    [GeneratedRegex(@"\b(who|owner|owners|owns|own|responsible|in charge|runs|control|controls)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OwnerIntent();

    [GeneratedRegex(@"\b(scope|in-scope|boundary|boundaries|cover|covers|covered|include|includes|included|part of|categor\w*|subservice|carve\w*|cuecs?|csocs?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ScopeIntent();

    [GeneratedRegex(@"\b(customers?|customer's|user entit\w*)\b.*\b(responsib\w*|job|whose|who|us or them|their side)\b|\b(responsib\w*|job|whose|who)\b.*\bcustomers?\b", RegexOptions.IgnoreCase)]
    private static partial Regex CustomerDutyIntent();

    [GeneratedRegex(@"\b(privacy|processing integrity|availability|confidentiality)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CategoryIntent();

    // "CC6.1", "cc 6.1", "CC6-1", "cc6_1", "cc61", "A1.2", "PI 1.5", "p4.3". A separator is optional only for CC (cc61),
    // where the series is unambiguous; "a12" or "p43" are too likely to be something else.
    [GeneratedRegex(@"\b(?:(?<series>cc|pi|a|c|p)\s?(?<major>\d)\s?[.\-_ ]\s?(?<minor>\d{1,2})|(?<series>cc)(?<major>\d)(?<minor>\d))\b", RegexOptions.IgnoreCase)]
    private static partial Regex CriterionPattern();

    [GeneratedRegex(@"\b(?<prefix>[a-z]{2,4})[\- ]?(?<number>\d{2})\b", RegexOptions.IgnoreCase)]
    private static partial Regex ControlPattern();
}
