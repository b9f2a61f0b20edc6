using System.Diagnostics;

namespace ComplianceBot.Understanding;

/// <summary>
/// The trained head: word, word-pair and character n-gram features (typos and terse forms), plus the MiniLM vector when
/// one is given (meaning beyond the exemplars' words), into one softmax regression. An exact exemplar (a command word
/// like "tasks") is answered from memory with full confidence.
/// </summary>
public sealed class IntentModel
{
    private const float CharGramWeight = 0.35f;
    private const float CueWeight = 3f;

    private readonly Dictionary<string, int> _features;
    private readonly SoftmaxRegression _head;
    private readonly Dictionary<string, string> _exact;
    private readonly float _denseWeight;

    private IntentModel(Lexicon lexicon, IReadOnlyList<string> labels, SpellingCorrector spelling, Dictionary<string, int> features,
        SoftmaxRegression head, Dictionary<string, string> exact, float denseWeight, bool hybrid, TimeSpan trainingTime, int exemplars)
    {
        (Lexicon, Labels, Spelling, _features, _head, _exact, _denseWeight, IsHybrid, TrainingTime, ExemplarCount) =
            (lexicon, labels, spelling, features, head, exact, denseWeight, hybrid, trainingTime, exemplars);
    }

    public Lexicon Lexicon { get; }

    public IReadOnlyList<string> Labels { get; }

    public SpellingCorrector Spelling { get; }

    /// <summary>Trained with MiniLM vectors: classifying needs the message's vector too.</summary>
    public bool IsHybrid { get; }

    public TimeSpan TrainingTime { get; }

    public int ExemplarCount { get; }

    public long WeightBytes => _head.Bytes;

    /// <param name="vectors">One unit vector per exemplar (MiniLM), or null for a lexical-only model.</param>
    public static IntentModel Train(IReadOnlyList<Exemplar> exemplars, Lexicon lexicon, float[][]? vectors, float denseWeight = 1f)
    {
        var watch = Stopwatch.StartNew();
        var labels = exemplars.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var labelIndex = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var words = exemplars.Select(e => TextNormalizer.Words(e.Text, lexicon)).ToList();
        var spelling = new SpellingCorrector(words.SelectMany(w => w));
        var features = new Dictionary<string, int>(StringComparer.Ordinal);
        var examples = new List<TrainingExample>(exemplars.Count);
        var exact = new Dictionary<string, string>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < exemplars.Count; i++)
        {
            var sparse = Featurize(words[i], spelling, name => features.TryGetValue(name, out var index) ? index : features[name] = features.Count);
            examples.Add(new TrainingExample(sparse, vectors is null ? null : Scale(vectors[i], denseWeight), labelIndex[exemplars[i].Label]));
            var key = string.Join(' ', words[i]);
            if (exact.TryGetValue(key, out var known) && known != exemplars[i].Label)
            {
                ambiguous.Add(key);
            }

            exact[key] = exemplars[i].Label;
        }

        foreach (var key in ambiguous)
        {
            exact.Remove(key);
        }

        var denseDims = vectors is { Length: > 0 } ? vectors[0].Length : 0;
        var head = SoftmaxRegression.Train(examples, labels.Count, features.Count, denseDims);
        return new IntentModel(lexicon, labels, spelling, features, head, exact, denseWeight, vectors is not null, watch.Elapsed, exemplars.Count);
    }

    /// <summary>Whether the text is, word for word, one of the exemplars (of a single label).</summary>
    public bool IsExemplar(string text) => _exact.ContainsKey(string.Join(' ', TextNormalizer.Words(text, Lexicon)));

    /// <summary>
    /// Labels ranked by probability, whether the text was an exact exemplar, and whether it holds an unsafe cue
    /// (<see cref="TextNormalizer.CueMarkers"/>).
    /// </summary>
    public (IReadOnlyList<IntentScore> Ranked, bool Exact, bool UnsafeCue) Predict(string text, float[]? vector)
    {
        var words = TextNormalizer.Words(text, Lexicon);
        var cue = words.Any(TextNormalizer.CueMarkers.Contains);
        var corrected = words.Select(Spelling.Correct).ToList();
        if (_exact.TryGetValue(string.Join(' ', words), out var label) || _exact.TryGetValue(string.Join(' ', corrected), out label))
        {
            return ([new IntentScore(label, 1.0), .. Labels.Where(l => l != label).Select(l => new IntentScore(l, 0))], true, cue);
        }

        var sparse = Featurize(words, Spelling, name => _features.TryGetValue(name, out var index) ? index : -1);
        var probabilities = _head.Predict(sparse, IsHybrid && vector is not null ? Scale(vector, _denseWeight) : null);
        return ([.. probabilities.Select((p, i) => new IntentScore(Labels[i], p)).OrderByDescending(s => s.Probability)], false, cue);
    }

    private static List<(int Index, float Value)> Featurize(IReadOnlyList<string> words, SpellingCorrector spelling, Func<string, int> index)
    {
        var weights = new Dictionary<int, float>();
        void Add(string name, float weight)
        {
            var i = index(name);
            if (i >= 0)
            {
                weights[i] = weights.GetValueOrDefault(i) + weight;
            }
        }

        var previous = "^";
        foreach (var raw in words)
        {
            if (TextNormalizer.CueMarkers.Contains(raw))
            {
                // A cue is one feature however long the message, so it is not outweighed by the character n-grams
                // of the ordinary words around it.
                Add("w:" + raw, CueWeight);
                continue;
            }

            var word = spelling.Correct(raw);
            Add("w:" + word, 1f);
            Add("b:" + previous + " " + word, 0.7f);
            previous = word;
            var padded = "<" + raw + ">";
            for (var n = 3; n <= 4; n++)
            {
                for (var start = 0; start + n <= padded.Length; start++)
                {
                    Add(string.Concat("c:", padded.AsSpan(start, n)), CharGramWeight);
                }
            }
        }

        Add("b:" + previous + " $", 0.7f);
        var norm = MathF.Sqrt(weights.Values.Sum(v => v * v));
        return [.. weights.Select(p => (p.Key, norm > 0 ? p.Value / norm : 0f))];
    }

    private static float[] Scale(float[] vector, float weight) => weight == 1f ? vector : [.. vector.Select(v => v * weight)];
}
