namespace ComplianceBot.Ask;

/// <summary>
/// Okapi BM25 over a few hundred units, kept in memory. Our own rather than Lucene.Net: the corpus is tiny (a few
/// hundred passages), the whole index is rebuilt in milliseconds when a file changes, scoring must be deterministic
/// for the eval, and we need weighted query terms (synonym expansions count half) and per-term coverage for the
/// refusal threshold — all simpler to do in 100 lines than through Lucene's analyzer and similarity APIs.
/// </summary>
public sealed class Bm25
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly Dictionary<string, double>[] _termFrequencies;
    private readonly double[] _lengths;
    private readonly double _averageLength;
    private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);

    /// <param name="units">Each unit's terms with a weight (a term in a title or keyword list may count less or more than body text).</param>
    public Bm25(IReadOnlyList<IEnumerable<(string Term, double Weight)>> units)
    {
        _termFrequencies = new Dictionary<string, double>[units.Count];
        _lengths = new double[units.Count];
        for (var i = 0; i < units.Count; i++)
        {
            var tf = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (term, weight) in units[i])
            {
                tf[term] = tf.GetValueOrDefault(term) + weight;
                _lengths[i] += weight;
            }

            _termFrequencies[i] = tf;
            foreach (var term in tf.Keys)
            {
                _documentFrequency[term] = _documentFrequency.GetValueOrDefault(term) + 1;
            }
        }

        _averageLength = units.Count == 0 ? 1 : Math.Max(1, _lengths.Average());
    }

    public int Count => _termFrequencies.Length;

    public double Idf(string term)
    {
        var n = _documentFrequency.GetValueOrDefault(term);
        return Math.Log(1 + (Count - n + 0.5) / (n + 0.5));
    }

    /// <summary>Whether any unit holds the term.</summary>
    public bool Knows(string term) => _documentFrequency.ContainsKey(term);

    public bool Contains(int unit, string term) => _termFrequencies[unit].ContainsKey(term);

    public double[] Score(IReadOnlyList<(string Term, double Weight)> query)
    {
        var scores = new double[Count];
        foreach (var (term, weight) in query)
        {
            if (!_documentFrequency.ContainsKey(term))
            {
                continue;
            }

            var idf = Idf(term);
            for (var i = 0; i < scores.Length; i++)
            {
                if (_termFrequencies[i].TryGetValue(term, out var tf))
                {
                    scores[i] += weight * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * _lengths[i] / _averageLength));
                }
            }
        }

        return scores;
    }
}
