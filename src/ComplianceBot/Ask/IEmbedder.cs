namespace ComplianceBot.Ask;

/// <summary>Dense sentence embeddings; the seam lets tests and the lexical-only mode run without the ONNX model.</summary>
public interface IEmbedder
{
    /// <summary>
    /// Names the model and everything that changes its vectors (package version, truncation); cached vectors are
    /// reused only under the same id.
    /// </summary>
    string ModelId { get; }

    /// <summary>Unit-length vectors, one per text.</summary>
    float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);
}
