namespace ComplianceBot.LoadTesting;

/// <summary>
/// Nearest-rank percentiles of a set of samples: the smallest sample with at least p % of all samples at or below it
/// (p 100 is the maximum, no interpolation). Both load generators print their percentiles with this one formula.
/// </summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        _sorted = [.. samples];
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double Max => At(100);

    /// <summary>The p-th percentile (0–100); NaN when there are no samples.</summary>
    public double At(double percent) =>
        _sorted.Length == 0 ? double.NaN : _sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];
}
