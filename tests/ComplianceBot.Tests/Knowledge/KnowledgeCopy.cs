namespace ComplianceBot.Tests.Knowledge;

/// <summary>A throw-away copy of the repo's knowledge/ folder that a test may edit.</summary>
public sealed class KnowledgeCopy : IDisposable
{
    public KnowledgeCopy()
    {
        Copy(Path.Combine(BotApplication.RepoRoot, "knowledge"), Root);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "compliancebot-knowledge", Guid.NewGuid().ToString("N"));

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void Replace(string relative, string oldText, string newText)
    {
        var path = PathOf(relative);
        var text = File.ReadAllText(path);
        Assert.Contains(oldText, text);
        File.WriteAllText(path, text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    /// <summary>The 1-based line of the first occurrence of <paramref name="text"/> in a file.</summary>
    public int LineOf(string relative, string text) =>
        Array.FindIndex(File.ReadAllLines(PathOf(relative)), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}
