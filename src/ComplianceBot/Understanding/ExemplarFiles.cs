namespace ComplianceBot.Understanding;

/// <summary>
/// Reads knowledge/intents/&lt;label&gt;.txt: one message per line, blank lines and lines starting with '#' ignored.
/// The file name is the label, so adding an intent is adding a file (and a handler).
/// </summary>
public static class ExemplarFiles
{
    public static IReadOnlyList<Exemplar> Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No intent exemplars at {folder}. Fix: restore knowledge/intents/ (one <label>.txt per intent).");
        }

        var exemplars = new List<Exemplar>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.txt").Order(StringComparer.Ordinal))
        {
            var label = Path.GetFileNameWithoutExtension(file);
            var lineNumber = 0;
            var before = exemplars.Count;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                var text = line.Trim();
                if (text.Length > 0 && !text.StartsWith('#'))
                {
                    exemplars.Add(new Exemplar(label, text.Replace("\\n", "\n", StringComparison.Ordinal), $"{Path.GetFileName(file)}:{lineNumber}"));
                }
            }

            if (exemplars.Count == before)
            {
                throw new InvalidDataException($"{file}: no exemplars. Fix: add one message per line, or delete the file to drop the intent.");
            }
        }

        return exemplars;
    }

    /// <summary>Each label's meaning: the comment lines at the top of its file (the model-backed classifier describes its functions with it).</summary>
    public static IReadOnlyDictionary<string, string> Descriptions(string folder) =>
        Directory.EnumerateFiles(folder, "*.txt").Order(StringComparer.Ordinal).ToDictionary(
            file => Path.GetFileNameWithoutExtension(file)!,
            file => string.Join(' ', File.ReadLines(file).TakeWhile(l => l.TrimStart().StartsWith('#')).Select(l => l.Trim().TrimStart('#').Trim())),
            StringComparer.Ordinal);
}
