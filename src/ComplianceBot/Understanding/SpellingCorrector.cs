namespace ComplianceBot.Understanding;

/// <summary>
/// Maps a word the exemplars never use to the most frequent exemplar word within one edit (two for longer words):
/// "taks" → "tasks", "aprovals" → "approvals". Written here because it is twenty lines over the exemplar vocabulary;
/// the character n-grams beside it catch what it misses.
/// </summary>
public sealed class SpellingCorrector
{
    private readonly Dictionary<string, int> _frequency;
    private readonly Dictionary<int, List<string>> _byLength;

    public SpellingCorrector(IEnumerable<string> words)
    {
        _frequency = words.GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        _byLength = _frequency.Keys.GroupBy(w => w.Length).ToDictionary(g => g.Key, g => g.OrderByDescending(w => _frequency[w]).ToList());
    }

    public bool Knows(string word) => _frequency.ContainsKey(word);

    public string Correct(string word)
    {
        if (word.Length < 4 || _frequency.ContainsKey(word) || word.Any(char.IsDigit))
        {
            return word;
        }

        var budget = word.Length >= 8 ? 2 : 1;
        string? best = null;
        var bestDistance = budget + 1;
        var bestFrequency = 0;
        for (var length = word.Length - budget; length <= word.Length + budget; length++)
        {
            if (!_byLength.TryGetValue(length, out var candidates))
            {
                continue;
            }

            foreach (var candidate in candidates)
            {
                var distance = Distance(word, candidate, bestDistance);
                if (distance < bestDistance || (distance == bestDistance && _frequency[candidate] > bestFrequency))
                {
                    (best, bestDistance, bestFrequency) = (candidate, distance, _frequency[candidate]);
                }
            }
        }

        return best is not null && bestDistance <= budget ? best : word;
    }

    /// <summary>Optimal string alignment distance (a swap of neighbours counts one), giving up above <paramref name="limit"/>.</summary>
    private static int Distance(string a, string b, int limit)
    {
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], previous2[j - 2] + 1);
                }

                rowMin = Math.Min(rowMin, current[j]);
            }

            if (rowMin > limit)
            {
                return limit + 1;
            }

            (previous2, previous, current) = (previous, current, previous2);
        }

        return previous[b.Length];
    }
}
