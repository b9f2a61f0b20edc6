using System.Net;
using System.Text;
using ComplianceBot.Conversations;

namespace ComplianceBot.Channels.Web;

public sealed record WebAction(string Id, string Label, IReadOnlyDictionary<string, string> Data, string Style, string? Confirm);

public sealed record WebInput(string Id, string Label, string Kind, bool Required, string? Value, string? Placeholder, IReadOnlyList<ChoiceOption> Options, string? Dataset = null);

public sealed record WebForm(string Title, WebAction Submit, IReadOnlyList<WebInput> Inputs, IReadOnlyDictionary<string, string> Errors);

public sealed record WebItem(string Text, IReadOnlyList<ReplyField> Fields, IReadOnlyList<WebAction> Actions);

/// <summary>
/// The web chat's wire form of a <see cref="Reply"/>; documented in README ("Local web chat"). <paramref name="Text"/> is
/// plain; <paramref name="Html"/> is the same text as safe HTML (every character of text escaped; only &lt;strong&gt;,
/// &lt;a&gt; with our own URLs, &lt;ul&gt;/&lt;li&gt; and &lt;br&gt; are ours). <paramref name="DetailsHtml"/> is long text the page collapses.
/// </summary>
public sealed record WebReply(
    string Text,
    string Html,
    string? DetailsHtml,
    string? Title,
    IReadOnlyList<ReplyField> Fields,
    IReadOnlyList<WebItem> Items,
    IReadOnlyList<WebAction> Actions,
    IReadOnlyList<WebInput> Inputs,
    WebForm? Form,
    IReadOnlyList<Citation> Citations,
    bool UpdatesSource);

/// <summary>Renders replies for the web chat: a direct, lossless JSON projection.</summary>
public static class WebRenderer
{
    public static WebReply Render(Reply reply) => new(
        SafeText.Clean(reply.Text),
        Html(reply.Text),
        reply.Details is { } details ? Html(details) : null,
        reply.Title,
        reply.Fields,
        [.. reply.Items.Select(i => new WebItem(i.Text, i.Fields, [.. i.Actions.Select(Render)]))],
        [.. reply.Actions.Select(Render)],
        reply.Form is null ? [] : [.. reply.Form.Inputs.Select(Render)],
        reply.Form is null ? null : new WebForm(
            reply.Form.Title,
            new WebAction(reply.Form.SubmitActionId, reply.Form.SubmitLabel, reply.Form.Data ?? new Dictionary<string, string>(), nameof(ActionStyle.Primary).ToLowerInvariant(), null),
            [.. reply.Form.Inputs.Select(Render)],
            reply.Form.Errors),
        reply.Citations,
        reply.UpdatesSource);

    private static WebAction Render(ReplyAction action) =>
        new(action.Id, action.Label, action.Data ?? new Dictionary<string, string>(), action.Style.ToString().ToLowerInvariant(), action.Confirm);

    private static WebInput Render(ReplyInput input) =>
        new(input.Id, input.Label, input.Kind.ToString().ToLowerInvariant(), input.Required, input.Value, input.Placeholder, input.Options, input.Dataset);

    /// <summary>Neutral text as HTML: escaped text, &lt;strong&gt; for bold, links from our data, "• " lines as a list.</summary>
    public static string Html(RichText text)
    {
        var sb = new StringBuilder();
        var inList = false;
        foreach (var line in Lines(text))
        {
            var bullet = line.Count > 0 && line[0].Kind == TextRunKind.Plain && line[0].Text.StartsWith("• ", StringComparison.Ordinal);
            if (bullet && !inList)
            {
                sb.Append("<ul>");
            }
            else if (!bullet && inList)
            {
                sb.Append("</ul>");
            }
            else if (!bullet && sb.Length > 0)
            {
                sb.Append("<br>");
            }

            inList = bullet;
            if (bullet)
            {
                sb.Append("<li>");
                line[0] = line[0] with { Text = line[0].Text[2..] };
            }

            foreach (var run in line)
            {
                var encoded = WebUtility.HtmlEncode(SafeText.Clean(run.Text));
                sb.Append(run.Kind switch
                {
                    TextRunKind.Bold => $"<strong>{encoded}</strong>",
                    TextRunKind.Link when run.Url is { } url => $"<a href=\"{WebUtility.HtmlEncode(url)}\" target=\"_blank\" rel=\"noopener noreferrer\">{encoded}</a>",
                    _ => encoded,
                });
            }

            if (bullet)
            {
                sb.Append("</li>");
            }
        }

        if (inList)
        {
            sb.Append("</ul>");
        }

        return sb.ToString();
    }

    private static IEnumerable<List<TextRun>> Lines(RichText text)
    {
        var line = new List<TextRun>();
        foreach (var run in text.Runs)
        {
            var parts = run.Text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            for (var i = 0; i < parts.Length; i++)
            {
                if (i > 0)
                {
                    yield return line;
                    line = [];
                }

                if (parts[i].Length > 0)
                {
                    line.Add(run with { Text = parts[i] });
                }
            }
        }

        yield return line;
    }
}
