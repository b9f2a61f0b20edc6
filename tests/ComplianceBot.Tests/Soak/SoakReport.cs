namespace ComplianceBot.Tests.Soak;

/// <summary>What a soak run counted (one line per guarantee) and every loss or duplicate it found, in words.</summary>
public sealed record SoakReport(IReadOnlyList<string> Lines, IReadOnlyList<string> Problems, IReadOnlyList<string> HostErrors)
{
    public bool Passed => Problems.Count == 0;

    public void WriteTo(TextWriter writer)
    {
        foreach (var line in Lines)
        {
            writer.WriteLine(line);
        }

        writer.WriteLine($"host errors logged: {HostErrors.Count}");
        foreach (var error in HostErrors.Take(10))
        {
            writer.WriteLine("  " + (error.Length > 700 ? error[..700] + "…" : error));
        }

        writer.WriteLine(Passed ? "PASSED: nothing lost, nothing sent twice" : $"FAILED: {Problems.Count} problem(s)");
        foreach (var problem in Problems.Take(40))
        {
            writer.WriteLine("  " + problem);
        }
    }
}
