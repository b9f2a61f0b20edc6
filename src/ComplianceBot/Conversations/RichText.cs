using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComplianceBot.Conversations;

/// <summary>The kinds of run a <see cref="RichText"/> holds: our code builds Bold and Link; everything else is plain.</summary>
public enum TextRunKind
{
    Plain,
    Bold,
    Link,
}

/// <summary>One run of text. <paramref name="Url"/> is set for links only, and only our own code sets it.</summary>
public sealed record TextRun(TextRunKind Kind, string Text, string? Url = null);

/// <summary>
/// The neutral text of a <see cref="Reply"/>: plain text (line breaks and "• " bullets included) plus bold and links that
/// our code builds explicitly. A string converts to plain text, so user data can never become markup; each renderer
/// escapes plain runs for its client (see <see cref="SafeText"/>).
/// </summary>
/// <remarks>
/// Stored replies (the outbox) round-trip it as JSON: plain text as a string, text with bold or links as its runs.
/// </remarks>
[JsonConverter(typeof(RichTextJsonConverter))]
public sealed class RichText : IEquatable<RichText>
{
    public static readonly RichText Empty = new([]);

    private RichText(IReadOnlyList<TextRun> runs) => Runs = runs;

    public IReadOnlyList<TextRun> Runs { get; }

    public int Length => Runs.Sum(r => r.Text.Length);

    public static implicit operator RichText(string? plain) => Plain(plain);

    public static implicit operator string(RichText? text) => text?.ToString() ?? "";

    public static RichText Plain(string? text) => string.IsNullOrEmpty(text) ? Empty : new([new TextRun(TextRunKind.Plain, text)]);

    public static RichText Bold(string text) => new([new TextRun(TextRunKind.Bold, text)]);

    /// <summary>A link; only for URLs from our own data (configuration, knowledge files), never from user input.</summary>
    public static RichText Link(Uri url, string label) =>
        url.Scheme is "https" or "http" ? new([new TextRun(TextRunKind.Link, label, url.AbsoluteUri)]) : Plain(label);

    public static RichText Concat(params IEnumerable<RichText?> parts) =>
        new([.. parts.Where(p => p is not null).SelectMany(p => p!.Runs)]);

    /// <summary>
    /// Reads the two constructs our knowledge files and answer composers write — **bold** and "- " / "* " bullets —
    /// from trusted text (never user input). Links stay plain text: they would otherwise come from text we did not write.
    /// </summary>
    public static RichText FromMarkdown(string markdown)
    {
        var runs = new List<TextRun>();
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            var line = lines[l];
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal))
            {
                line = "• " + trimmed[2..];
            }

            var parts = line.Split("**");
            for (var i = 0; i < parts.Length; i++)
            {
                // An unpaired trailing "**" stays literal.
                var bold = i % 2 == 1 && i < parts.Length - 1;
                var text = i % 2 == 1 && !bold ? "**" + parts[i] : parts[i];
                if (text.Length > 0)
                {
                    runs.Add(new TextRun(bold ? TextRunKind.Bold : TextRunKind.Plain, text));
                }
            }

            if (l < lines.Length - 1)
            {
                runs.Add(new TextRun(TextRunKind.Plain, "\n"));
            }
        }

        return new(Merge(runs));
    }

    /// <summary>Splits into pieces of at most <paramref name="max"/> characters of text, at line breaks where possible.</summary>
    public IEnumerable<RichText> Chunk(int max)
    {
        var current = new List<TextRun>();
        var size = 0;
        foreach (var run in Runs.SelectMany(r => r.Kind == TextRunKind.Plain ? SplitLines(r) : [r]))
        {
            var remaining = run;
            while (remaining.Text.Length > 0)
            {
                if (size + remaining.Text.Length <= max)
                {
                    current.Add(remaining);
                    size += remaining.Text.Length;
                    break;
                }

                if (current.Count > 0 && remaining.Text.Length <= max)
                {
                    yield return new RichText(Merge(current));
                    current = [];
                    size = 0;
                    continue;
                }

                // One run longer than the rest of the chunk: cut it at a space, never inside a surrogate pair.
                var room = max - size;
                var cut = remaining.Text.LastIndexOf(' ', Math.Max(0, room - 1));
                if (cut < room / 2)
                {
                    cut = char.IsHighSurrogate(remaining.Text[room - 1]) ? room - 1 : room;
                }

                current.Add(remaining with { Text = remaining.Text[..cut] });
                yield return new RichText(Merge(current));
                current = [];
                size = 0;
                remaining = remaining with { Text = remaining.Text[cut..].TrimStart() };
            }
        }

        if (current.Count > 0)
        {
            yield return new RichText(Merge(current));
        }
    }

    /// <summary>The first <paramref name="max"/> characters (with "…") and whether anything was cut.</summary>
    public (RichText Shown, bool Cut) Preview(int max)
    {
        if (Length <= max)
        {
            return (this, false);
        }

        var first = Chunk(max - 1).First();
        return (Concat(first, Plain("…")), true);
    }

    /// <summary>The plain text (bold as is, links as their label).</summary>
    public override string ToString() =>
        Runs.Count == 1 ? Runs[0].Text : Runs.Aggregate(new StringBuilder(), (sb, r) => sb.Append(r.Text)).ToString();

    public bool Equals(RichText? other) => other is not null && Runs.SequenceEqual(other.Runs);

    public override bool Equals(object? obj) => obj is RichText other && Equals(other);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static IEnumerable<TextRun> SplitLines(TextRun run)
    {
        var start = 0;
        for (var i = 0; i < run.Text.Length; i++)
        {
            if (run.Text[i] == '\n')
            {
                yield return run with { Text = run.Text[start..(i + 1)] };
                start = i + 1;
            }
        }

        if (start < run.Text.Length)
        {
            yield return run with { Text = run.Text[start..] };
        }
    }

    private static List<TextRun> Merge(List<TextRun> runs)
    {
        var merged = new List<TextRun>(runs.Count);
        foreach (var run in runs.Where(r => r.Text.Length > 0))
        {
            if (merged.Count > 0 && merged[^1].Kind == run.Kind && run.Kind != TextRunKind.Link)
            {
                merged[^1] = merged[^1] with { Text = merged[^1].Text + run.Text };
            }
            else
            {
                merged.Add(run);
            }
        }

        // Chunks start and end at a line, not with the break or the space that separated them.
        if (merged.Count > 0 && merged[^1].Kind == TextRunKind.Plain)
        {
            merged[^1] = merged[^1] with { Text = merged[^1].Text.TrimEnd() };
        }

        return [.. merged.Where(r => r.Text.Length > 0)];
    }

    private sealed class RichTextJsonConverter : JsonConverter<RichText>
    {
        public override RichText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => Plain(reader.GetString()),
            JsonTokenType.StartArray => new([.. JsonSerializer.Deserialize<List<TextRun>>(ref reader, options) ?? []]),
            _ => throw new JsonException("Rich text is a string or an array of runs."),
        };

        public override void Write(Utf8JsonWriter writer, RichText value, JsonSerializerOptions options)
        {
            if (value.Runs.All(r => r.Kind == TextRunKind.Plain))
            {
                writer.WriteStringValue(value.ToString());
                return;
            }

            JsonSerializer.Serialize(writer, value.Runs, options);
        }
    }
}
