using System.Text.RegularExpressions;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// Inbound Slack text (Events API messages, slash command text) arrives in Slack's wire format: &amp;, &lt;, &gt; escaped
/// and links, mentions and channels as &lt;…&gt; tokens. Decoded exactly once, here, into what the person typed, so flows,
/// forms and stored titles never see entities (and outbound escaping does not double them).
/// </summary>
public static partial class SlackText
{
    public static string Decode(string? wire)
    {
        if (string.IsNullOrEmpty(wire))
        {
            return "";
        }

        var text = Token().Replace(wire, m =>
        {
            var target = m.Groups["target"].Value;
            var label = m.Groups["label"].Success ? m.Groups["label"].Value : null;
            return target[0] switch
            {
                '@' => "@" + (label ?? target[1..]),
                '#' => "#" + (label ?? target[1..]),
                '!' => label ?? "@" + target[1..].Split('^')[0],
                _ => label is null || label == target || "mailto:" + label == target ? target.Replace("mailto:", "", StringComparison.Ordinal) : $"{label} ({target})",
            };
        });

        // &amp; last, so "&amp;lt;" (a person typing "&lt;") stays "&lt;".
        return text.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<(?<target>[@#!]?[^<>|\s][^<>|]*)(\|(?<label>[^<>]*))?>")]
    private static partial Regex Token();
}
