namespace ComplianceBot.Tests.Fakes;

/// <summary>
/// Text that tries to become markup, pings, links or reversed words in someone's client: Slack mention and link tokens,
/// Teams/Markdown links and emphasis, HTML, Slack entities, bidi overrides ("Trojan Source"), invisible characters,
/// emoji and right-to-left scripts.
/// </summary>
public static class HostileText
{
    public const string SlackChannelPing = "<!channel>";
    public const string SlackDisguisedLink = "<https://evil.example|click me>";
    public const string MarkdownLink = "[link](https://evil.example)";
    public const string RightToLeftOverride = "\u202E";

    /// <summary>Everything at once, as a change title, a reason or a name would carry it.</summary>
    public const string Mixed =
        "<!channel> <https://evil.example|click me> [link](https://evil.example) **bold** _it_ ~s~ `code` <b>html</b> " +
        "<script>alert(1)</script> R&D &lt;db&gt; \u202Edecnalab\u202C \u2066iso\u2069 zero\u200Bwidth \uFEFF emoji 👩🏽‍💻 🇩🇪 " +
        "עברית العربية\n- not a list\n# not a heading\n1. not a numbered list";

    /// <summary>A field at <paramref name="length"/> characters: the hostile text repeated and cut (never inside an emoji).</summary>
    public static string OfLength(int length)
    {
        var text = string.Concat(Enumerable.Repeat(Mixed + " ", length / Mixed.Length + 1))[..length];
        return char.IsHighSurrogate(text[^1]) ? text[..^1] + "x" : text;
    }
}
