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
            var (problem, fix) = PlainWords(ex.Message);
            Error(ex.Start.Line, "file", $"{problem} (the YAML reader said: {ex.Message.TrimEnd('.')})", fix);
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
            Error(key.Start.Line, entry, $"unknown field '{key.Value}'", $"use one of: {string.Join(", ", known.Order())}{NearMatch.DidYouMean(key.Value!, known)}");
        }
    }

    public long LineOf(YamlNode node) => node.Start.Line + lineOffset;

    /// <summary>The line of a field's value, so a message points at the field rather than the start of its entry.</summary>
    public long FieldLine(YamlMappingNode node, string key) => FieldStart(node, key) + lineOffset;

    /// <summary>The same line in the YAML text's own numbering, for <see cref="Error"/>.</summary>
    public static long FieldStart(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value.Start.Line : node.Start.Line;

    /// <summary>A YAML syntax error in the words of someone who edits the file, not of the parser.</summary>
    private static (string Problem, string Fix) PlainWords(string message) => message switch
    {
        _ when message.Contains("mapping values are not allowed", StringComparison.OrdinalIgnoreCase) =>
            ("a value on this line contains ': ', which YAML reads as a new field", "put the whole value in double quotes, e.g. title: \"Access: quarterly review\""),
        _ when message.Contains("could not find expected ':'", StringComparison.OrdinalIgnoreCase) =>
            ("a line has no ':' between the field name and its value, or a value contains ': ' or an unclosed quote", "write 'field: value', put a value that contains ': ' in double quotes, and close every quote you open"),
        _ when message.Contains("cannot start any token", StringComparison.OrdinalIgnoreCase) =>
            ("the line starts with a character YAML does not allow there (a tab, or a value beginning with @ or `)", "indent with spaces, never tabs, and put values that start with @ or ` in quotes"),
        _ when message.Contains("did not find expected key", StringComparison.OrdinalIgnoreCase) || message.Contains("did not find expected '-'", StringComparison.OrdinalIgnoreCase) =>
            ("this line's indentation does not line up with the lines around it", "indent fields of one entry by the same number of spaces, and start each entry with '- ' at the list's indentation"),
        _ when message.Contains("flow sequence", StringComparison.OrdinalIgnoreCase) || message.Contains("flow mapping", StringComparison.OrdinalIgnoreCase) =>
            ("a list in [ ] or a mapping in { } is not closed", "close it on the same line (criteria: [CC6.1, CC6.2]), or put a value that starts with [ or { in quotes"),
        _ when message.Contains("quoted scalar", StringComparison.OrdinalIgnoreCase) || message.Contains("end of stream", StringComparison.OrdinalIgnoreCase) =>
            ("a quote is opened but never closed", "close the quote on the same line, or remove it"),
        _ when message.Contains("duplicate key", StringComparison.OrdinalIgnoreCase) =>
            ("the same field appears twice in one entry", "keep one of the two lines"),
        _ => ("the file is not valid YAML from this line on", "check the indentation (spaces only) on this line and the one above, and put a value that contains ': ', # or a leading quote in double quotes"),
    };

    public void Error(long line, string entry, string problem, string fix) =>
        errors.Add(new ImportError(file, line + lineOffset, entry, problem, fix));
}
