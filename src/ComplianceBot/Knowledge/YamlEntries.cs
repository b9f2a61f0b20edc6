using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ComplianceBot.Knowledge;

/// <summary>
/// Reads YAML through YamlDotNet's representation model rather than its deserializer, because every error we
/// report must carry the file and line of the offending entry.
/// </summary>
internal sealed class YamlEntries(string file, List<ImportError> errors, int lineOffset = 0)
{
    public string File => file;

    public YamlMappingNode? LoadMapping(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                Error(1, "file", "the file is empty or is not a YAML mapping", "start the file with the top-level key shown in the README (e.g. 'controls:')");
                return null;
            }

            return root;
        }
        catch (YamlException ex)
        {
            Error(ex.Start.Line, "file", $"the YAML does not parse: {ex.Message}", "check indentation and quoting on that line");
            return null;
        }
    }

    public IEnumerable<YamlMappingNode> Sequence(YamlMappingNode root, string key)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(key), out var node) || node is not YamlSequenceNode sequence)
        {
            Error(root.Start.Line, "file", $"missing the top-level list '{key}:'", $"put the entries under a '{key}:' list");
            yield break;
        }

        foreach (var item in sequence)
        {
            if (item is YamlMappingNode mapping)
            {
                yield return mapping;
            }
            else
            {
                Error(item.Start.Line, key, "an entry is not a mapping of fields", "write each entry as '- field: value' lines");
            }
        }
    }

    public string? Text(YamlMappingNode node, string key, string entry, bool required = true)
    {
        if (node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } text } && !string.IsNullOrWhiteSpace(text))
        {
            return text.Trim();
        }

        if (required)
        {
            Error(node.Start.Line, entry, $"missing required field '{key}'", $"add '{key}: ...' to this entry");
        }

        return null;
    }

    public List<string> List(YamlMappingNode node, string key, string entry, bool required = false)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            if (required)
            {
                Error(node.Start.Line, entry, $"missing required list '{key}'", $"add '{key}: [..]' to this entry");
            }

            return [];
        }

        if (value is YamlSequenceNode sequence)
        {
            return [.. sequence.OfType<YamlScalarNode>().Select(s => s.Value?.Trim() ?? "").Where(s => s.Length > 0)];
        }

        Error(value.Start.Line, entry, $"'{key}' must be a list", $"write '{key}: [a, b]' or one '- item' per line");
        return [];
    }

    public void RejectUnknownFields(YamlMappingNode node, string entry, IReadOnlySet<string> known)
    {
        foreach (var key in node.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value is not null && !known.Contains(k.Value)))
        {
            Error(key.Start.Line, entry, $"unknown field '{key.Value}'", $"use one of: {string.Join(", ", known.Order())}");
        }
    }

    public long LineOf(YamlNode node) => node.Start.Line + lineOffset;

    public void Error(long line, string entry, string problem, string fix) =>
        errors.Add(new ImportError(file, line + lineOffset, entry, problem, fix));
}
