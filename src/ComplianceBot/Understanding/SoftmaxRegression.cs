namespace ComplianceBot.Understanding;

/// <summary>One training example: sparse features (index, value) plus an optional dense vector, and its class.</summary>
public sealed record TrainingExample(IReadOnlyList<(int Index, float Value)> Sparse, float[]? Dense, int Label);

/// <summary>
/// Multinomial logistic regression trained by plain SGD with class-balanced weights. Written here rather than with
/// ML.NET (already a transitive dependency) because ML.NET's trainers go through an IDataView pipeline whose JIT alone
/// costs more than this whole training run; this is ~80 lines, deterministic (fixed seed) and allocation-light.
/// </summary>
public sealed class SoftmaxRegression
{
    private readonly int _classes;
    private readonly int _sparseDims;
    private readonly int _denseDims;
    private readonly float[] _weights; // [feature][class], sparse features first, then dense
    private readonly float[] _bias;

    private SoftmaxRegression(int classes, int sparseDims, int denseDims)
    {
        (_classes, _sparseDims, _denseDims) = (classes, sparseDims, denseDims);
        _weights = new float[(sparseDims + denseDims) * classes];
        _bias = new float[classes];
    }

    /// <summary>Approximate size of the weights in bytes (reported by the benchmark).</summary>
    public long Bytes => (_weights.Length + _bias.Length) * sizeof(float);

    public static SoftmaxRegression Train(IReadOnlyList<TrainingExample> examples, int classes, int sparseDims, int denseDims, int epochs = 14, float learningRate = 0.6f, int seed = 12)
    {
        var model = new SoftmaxRegression(classes, sparseDims, denseDims);
        var counts = new int[classes];
        foreach (var example in examples)
        {
            counts[example.Label]++;
        }

        // Balanced: every label weighs the same in total, however many exemplars it has.
        var classWeight = counts.Select(c => c == 0 ? 0f : (float)examples.Count / (classes * c)).ToArray();
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var random = new Random(seed);
        var probabilities = new float[classes];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            var rate = learningRate / (1 + (epoch * 0.5f));
            foreach (var i in order)
            {
                var example = examples[i];
                model.Scores(example.Sparse, example.Dense, probabilities);
                Softmax(probabilities);
                for (var k = 0; k < classes; k++)
                {
                    probabilities[k] = (probabilities[k] - (k == example.Label ? 1f : 0f)) * classWeight[example.Label] * rate;
                }

                model.Step(example.Sparse, example.Dense, probabilities);
            }
        }

        return model;
    }

    /// <summary>Class probabilities for one input.</summary>
    public float[] Predict(IReadOnlyList<(int Index, float Value)> sparse, float[]? dense)
    {
        var probabilities = new float[_classes];
        Scores(sparse, dense, probabilities);
        Softmax(probabilities);
        return probabilities;
    }

    private void Scores(IReadOnlyList<(int Index, float Value)> sparse, float[]? dense, float[] scores)
    {
        Array.Copy(_bias, scores, _classes);
        foreach (var (index, value) in sparse)
        {
            var row = index * _classes;
            for (var k = 0; k < _classes; k++)
            {
                scores[k] += _weights[row + k] * value;
            }
        }

        if (dense is not null && _denseDims > 0)
        {
            for (var d = 0; d < _denseDims; d++)
            {
                var row = (_sparseDims + d) * _classes;
                var value = dense[d];
                for (var k = 0; k < _classes; k++)
                {
                    scores[k] += _weights[row + k] * value;
                }
            }
        }
    }

    private void Step(IReadOnlyList<(int Index, float Value)> sparse, float[]? dense, float[] gradient)
    {
        for (var k = 0; k < _classes; k++)
        {
            _bias[k] -= gradient[k];
        }

        foreach (var (index, value) in sparse)
        {
            var row = index * _classes;
            for (var k = 0; k < _classes; k++)
            {
                _weights[row + k] -= gradient[k] * value;
            }
        }

        if (dense is not null && _denseDims > 0)
        {
            for (var d = 0; d < _denseDims; d++)
            {
                var row = (_sparseDims + d) * _classes;
                var value = dense[d];
                for (var k = 0; k < _classes; k++)
                {
                    _weights[row + k] -= gradient[k] * value;
                }
            }
        }
    }

    private static void Softmax(float[] scores)
    {
        var max = scores.Max();
        var sum = 0f;
        for (var k = 0; k < scores.Length; k++)
        {
            scores[k] = MathF.Exp(scores[k] - max);
            sum += scores[k];
        }

        for (var k = 0; k < scores.Length; k++)
        {
            scores[k] /= sum;
        }
    }
}
