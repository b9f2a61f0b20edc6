namespace ComplianceBot.Knowledge;

/// <summary>Splits a Markdown file with YAML front matter ("---" lines) into the YAML and the body.</summary>
public static class FrontMatter
{
    /// <returns>The YAML, the Markdown body and the number of lines before the YAML (for error line numbers); null when absent.</returns>
    public static (string Yaml, string Body, int LineOffset)? Split(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        if (lines.Length == 0 || lines[0].Trim() != "---")
        {
            return null;
        }

        var end = Array.FindIndex(lines, 1, l => l.Trim() == "---");
        return end < 0 ? null : (string.Join('\n', lines[1..end]), string.Join('\n', lines[(end + 1)..]), 1);
    }
}
