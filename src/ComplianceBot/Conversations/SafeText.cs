using System.Buffers;
using System.Text;

namespace ComplianceBot.Conversations;

/// <summary>
/// The text-safety rule every renderer applies to every string it shows, ours and users' alike: bidi controls
/// ("Trojan Source": U+202E reverses what follows, our own words included) and invisible control characters are dropped,
/// line endings become \n, and a lone surrogate becomes U+FFFD. Escaping for each client's markup is the renderer's
/// job, after this (Slack mrkdwn, Teams markdown, HTML).
/// </summary>
public static class SafeText
{
    // Bidi embeddings/overrides/isolates and marks, zero-width and invisible formatting characters, interlinear
    // annotations, the BOM. ZWJ/ZWNJ (emoji sequences, Persian) and variation selectors are kept.
    private static readonly SearchValues<char> Dropped = SearchValues.Create(
        "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C\u200B\u2060\u2061\u2062\u2063\u2064\uFEFF\uFFF9\uFFFA\uFFFB\u180E");

    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        if (!NeedsCleaning(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                sb.Append('\uFFFD');
            }
            else if (c == '\r')
            {
                sb.Append('\n');
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
            }
            else if (c == '\t')
            {
                sb.Append(' ');
            }
            else if (c == '\n' || !(char.IsControl(c) || Dropped.Contains(c)))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>True when <see cref="Clean"/> would change the text (the common case, plain text, costs one scan).</summary>
    public static bool NeedsCleaning(string text)
    {
        foreach (var c in text)
        {
            if ((c < ' ' && c != '\n') || (c >= '\u007F' && c <= '\u009F') || char.IsSurrogate(c) || Dropped.Contains(c))
            {
                return true;
            }
        }

        return false;
    }
}
