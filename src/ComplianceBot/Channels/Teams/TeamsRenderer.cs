using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComplianceBot.Conversations;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// Renders a <see cref="Reply"/> as Adaptive Card 1.5 JSON (Teams renders up to 1.5; Universal Actions need 1.4+).
/// Written by hand: the AdaptiveCards package is not served, and the card schema we use is small.
/// </summary>
public static partial class TeamsRenderer
{
    /// <summary>Details longer than this are shown cut, with the rest behind "Show more" (Action.ShowCard).</summary>
    public const int DetailsPreview = 600;

    /// <summary>The body of the answer to an application/search invoke (typeahead in an Input.ChoiceSet).</summary>
    public static JsonObject SearchResponse(IEnumerable<ChoiceOption> options) => new()
    {
        ["type"] = "application/vnd.microsoft.search.searchResponse",
        ["value"] = new JsonObject { ["results"] = new JsonArray([.. options.Select(o => (JsonNode)new JsonObject { ["value"] = o.Value, ["title"] = o.Label })]) },
    };

    public const string CardContentType = "application/vnd.microsoft.card.adaptive";
    public const string Version = "1.5";

    /// <summary>
    /// Key that carried the action id in the Action.Submit fallbacks of cards sent before they were dropped; clicks on
    /// such cards still arrive as messages with it, and the translator still routes them.
    /// </summary>
    public const string SubmitActionKey = "cbAction";

    /// <summary>
    /// Teams refuses bot messages over 40 KB (413 MessageSizeTooBig), counted on the whole activity in UTF-16.
    /// 18,000 characters of card JSON is 36 KB in UTF-16 and leaves room for the activity envelope.
    /// </summary>
    public const int MaxCardChars = 18_000;

    // The default encoder writes "<", "&", "é" and every emoji as \uXXXX (up to 12 characters for one emoji), which
    // counts against the 40 KB limit; a JSON request body needs none of that escaping.
    private static readonly System.Text.Json.JsonSerializerOptions WireJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The card (or any part of it) as the JSON that goes on the wire.</summary>
    public static string ToJson(JsonNode node) => node.ToJsonString(WireJson);

    /// <summary>Teams accepts at most 60 user MRIs in refresh.userIds.</summary>
    public const int MaxRefreshUsers = 60;

    /// <summary>
    /// One card, or several when the content would exceed <see cref="MaxCardChars"/>: long lists and text are split
    /// across cards ("part 2 of 3") rather than truncated; buttons, form and sources go on the last card.
    /// </summary>
    /// <param name="refreshUserIds">MRIs ("29:…") of the people in <see cref="Reply.Refresh"/>, resolved by the caller.</param>
    public static IReadOnlyList<JsonObject> Render(Reply reply, IReadOnlyList<string>? refreshUserIds = null)
    {
        var single = Card(reply, Header(reply, [reply.Text]), [.. reply.Items.Select(Item)], includeTail: true, refreshUserIds);
        if (ToJson(single).Length <= MaxCardChars)
        {
            return [single];
        }

        return Paginate(reply, refreshUserIds);
    }

    private static List<JsonObject> Paginate(Reply reply, IReadOnlyList<string>? refreshUserIds)
    {
        // Pack header blocks (title, text chunks, fields) and item containers into pages by size, then put the tail
        // (buttons, form, sources, refresh) on the last page. Each page's budget leaves room for the card around it
        // (fallback text, "Part 2 of 3") and the last page's for the tail, so every card stays within the limit.
        var envelope = ToJson(Card(reply, [TextBlock("Part 99 of 99", subtle: true)], [], includeTail: false, null)).Length;
        var budget = MaxCardChars - envelope;
        var tail = ToJson(Card(reply, [], [], includeTail: true, refreshUserIds)).Length - ToJson(Card(reply, [], [], includeTail: false, null)).Length + 1;
        var blocks = Header(reply, reply.Text.Chunk(4_000)).Concat(reply.Items.Select(Item)).SelectMany(b => Fitting(b, budget));
        var pages = new List<List<JsonNode>> { new() };
        var size = 0;
        foreach (var block in blocks)
        {
            var length = ToJson(block).Length + 1;
            if (pages[^1].Count > 0 && size + length > budget)
            {
                pages.Add([]);
                size = 0;
            }

            pages[^1].Add(block);
            size += length;
        }

        if (size + tail > budget)
        {
            pages.Add([]);
        }

        var cards = new List<JsonObject>();
        for (var i = 0; i < pages.Count; i++)
        {
            var body = pages[i];
            if (pages.Count > 1)
            {
                body.Insert(0, TextBlock($"Part {i + 1} of {pages.Count}", subtle: true));
            }

            cards.Add(Card(reply, body, [], includeTail: i == pages.Count - 1, i == pages.Count - 1 ? refreshUserIds : null));
        }

        return cards;
    }

    /// <summary>A fact list too big for one card (several facts at the API's longest) goes one fact per block.</summary>
    private static IEnumerable<JsonNode> Fitting(JsonNode block, int budget) =>
        (string?)block["type"] == "FactSet" && ToJson(block).Length > budget
            ? block["facts"]!.AsArray().Select(f => (JsonNode)new JsonObject { ["type"] = "FactSet", ["facts"] = new JsonArray(f!.DeepClone()) })
            : [block];

    private static JsonObject Card(Reply reply, IEnumerable<JsonNode> header, IEnumerable<JsonNode> items, bool includeTail, IReadOnlyList<string>? refreshUserIds)
    {
        var body = new JsonArray([.. header, .. items]);
        if (includeTail)
        {
            foreach (var node in Tail(reply))
            {
                body.Add(node);
            }
        }

        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["version"] = Version,
            ["fallbackText"] = FallbackText(reply),
            ["body"] = body,
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };

        if (includeTail && reply.Refresh is { } refresh)
        {
            card["refresh"] = new JsonObject
            {
                ["action"] = new JsonObject
                {
                    ["type"] = "Action.Execute",
                    ["title"] = "Refresh",
                    ["verb"] = refresh.ActionId,
                    ["data"] = Data(refresh.Data),
                },
                ["userIds"] = new JsonArray([.. (refreshUserIds ?? []).Take(MaxRefreshUsers).Select(id => (JsonNode)id)]),
            };
        }

        return card;
    }

    /// <summary>
    /// Only clients that cannot render the card show this; a bounded summary keeps a long reply's text from being
    /// repeated in full on every part of a multi-part message.
    /// </summary>
    private static string FallbackText(Reply reply)
    {
        var text = SafeText.Clean(reply.Fallback);
        if (text.Length <= MaxFallbackText)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[MaxFallbackText - 2]) ? MaxFallbackText - 2 : MaxFallbackText - 1;
        return text[..cut] + "…";
    }

    private const int MaxFallbackText = 1_000;

    private static IEnumerable<JsonNode> Header(Reply reply, IEnumerable<RichText> textChunks)
    {
        if (reply.Title is { } title)
        {
            yield return new JsonObject { ["type"] = "TextBlock", ["text"] = Escape(title), ["size"] = "Large", ["weight"] = "Bolder", ["wrap"] = true, ["style"] = "heading" };
        }

        foreach (var chunk in textChunks)
        {
            yield return MarkdownBlock(chunk);
        }

        // With details, the decision comes first: short facts, the buttons, then long facts and the details, collapsed.
        var decisionFirst = reply.Details is not null;
        var shortFacts = reply.Fields.Where(f => !decisionFirst || SlackShortFact(f)).ToList();
        if (shortFacts.Count > 0)
        {
            yield return FactSet(shortFacts);
        }

        if (reply.Details is { } details)
        {
            if (reply.Actions.Count > 0)
            {
                yield return ActionSet(reply.Actions);
            }

            if (reply.Fields.Where(f => !SlackShortFact(f)).ToList() is { Count: > 0 } longFacts)
            {
                yield return FactSet(longFacts);
            }

            foreach (var node in Details(details))
            {
                yield return node;
            }
        }
    }

    private static IEnumerable<JsonNode> Details(RichText details)
    {
        var (shown, cut) = details.Preview(DetailsPreview);
        yield return new JsonObject { ["type"] = "TextBlock", ["text"] = Markdown(shown), ["wrap"] = true, ["separator"] = true };
        if (cut)
        {
            var more = new JsonArray([.. details.Chunk(4_000).Select(c => (JsonNode)MarkdownBlock(c))]);
            yield return new JsonObject
            {
                ["type"] = "ActionSet",
                ["actions"] = new JsonArray
                {
                    new JsonObject { ["type"] = "Action.ShowCard", ["title"] = "Show more", ["card"] = new JsonObject { ["type"] = "AdaptiveCard", ["body"] = more } },
                },
            };
        }
    }

    private static IEnumerable<JsonNode> Tail(Reply reply)
    {
        if (reply.Form is { } form)
        {
            yield return Form(form);
        }

        if (reply.Citations.Count > 0)
        {
            yield return Citations(reply.Citations);
        }

        if (reply.Actions.Count > 0 && reply.Details is null)
        {
            yield return ActionSet(reply.Actions);
        }
    }

    /// <summary>
    /// One list entry as a compact row: its line, its short facts on one small line ("Change: new · Last login: never"),
    /// any long ones below, and its buttons, so a page of ten accounts fits in one card.
    /// </summary>
    private static JsonObject Item(ReplyItem item)
    {
        var items = new JsonArray { new JsonObject { ["type"] = "TextBlock", ["text"] = Escape(item.Text), ["wrap"] = true, ["weight"] = "Bolder" } };
        // Short facts share one line; a long one (a revoke reason) gets a row of its own below them.
        if (item.Fields.Where(f => f.Label.Length + f.Value.Length <= CompactFactLength).ToList() is { Count: > 0 } compact)
        {
            var line = string.Join(" · ", compact.Select(f => $"{Escape(f.Label)}: {Escape(f.Value)}"));
            items.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = line, ["wrap"] = true, ["isSubtle"] = true, ["size"] = "Small", ["spacing"] = "None" });
        }

        if (item.Fields.Where(f => f.Label.Length + f.Value.Length > CompactFactLength).ToList() is { Count: > 0 } longFacts)
        {
            items.Add(FactSet(longFacts));
        }

        if (item.Actions.Count > 0)
        {
            items.Add(ActionSet(item.Actions));
        }

        return new JsonObject { ["type"] = "Container", ["separator"] = true, ["spacing"] = "Small", ["items"] = items };
    }

    private const int CompactFactLength = 120;

    private static bool SlackShortFact(ReplyField field) => field.Label.Length + field.Value.Length <= 300;

    private static JsonObject Form(ReplyForm form)
    {
        var items = new JsonArray { new JsonObject { ["type"] = "TextBlock", ["text"] = Escape(form.Title), ["weight"] = "Bolder", ["wrap"] = true } };
        foreach (var input in form.Inputs)
        {
            items.Add(Input(input));
            if (form.Errors.TryGetValue(input.Id, out var error))
            {
                // Shown under the input it concerns, like Slack's response_action: errors.
                items.Add(new JsonObject { ["type"] = "TextBlock", ["id"] = $"{input.Id}-error", ["text"] = Escape(error), ["color"] = "Attention", ["wrap"] = true, ["spacing"] = "None", ["size"] = "Small" });
            }
        }

        var submit = Execute(new ReplyAction(form.SubmitActionId, form.SubmitLabel, form.Data, ActionStyle.Primary));
        items.Add(new JsonObject { ["type"] = "ActionSet", ["actions"] = new JsonArray { submit } });
        return new JsonObject { ["type"] = "Container", ["separator"] = true, ["items"] = items };
    }

    private static JsonObject Input(ReplyInput input)
    {
        var node = input.Kind switch
        {
            InputKind.Choice when input.Dataset is { } dataset => new JsonObject
            {
                // Dynamic typeahead: Teams sends an application/search invoke with the typed text as the user types.
                ["type"] = "Input.ChoiceSet",
                ["style"] = "filtered",
                ["choices"] = new JsonArray([.. input.Options.Select(o => (JsonNode)new JsonObject { ["title"] = o.Label, ["value"] = o.Value })]),
                ["choices.data"] = new JsonObject { ["type"] = "Data.Query", ["dataset"] = dataset },
            },
            InputKind.Choice => new JsonObject
            {
                ["type"] = "Input.ChoiceSet",
                ["style"] = "compact",
                ["choices"] = new JsonArray([.. input.Options.Select(o => (JsonNode)new JsonObject { ["title"] = SafeText.Clean(o.Label), ["value"] = o.Value })]),
            },
            _ => new JsonObject { ["type"] = "Input.Text", ["isMultiline"] = input.Kind == InputKind.MultilineText },
        };
        node["id"] = input.Id;
        node["label"] = SafeText.Clean(input.Label);
        node["isRequired"] = input.Required;
        if (input.Required)
        {
            node["errorMessage"] = $"{SafeText.Clean(input.Label)} is required";
        }

        if (input.Value is { } value)
        {
            node["value"] = value;
        }

        if (input.Placeholder is { } placeholder)
        {
            node["placeholder"] = SafeText.Clean(placeholder);
        }

        return node;
    }

    private static JsonObject Citations(IReadOnlyList<Citation> citations)
    {
        var items = new JsonArray { new JsonObject { ["type"] = "TextBlock", ["text"] = "Sources", ["weight"] = "Bolder", ["size"] = "Small" } };
        foreach (var citation in citations)
        {
            items.Add(new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = Escape($"{citation.Id}: {citation.Title} ({citation.Source})"),
                ["wrap"] = true,
                ["isSubtle"] = true,
                ["size"] = "Small",
                ["spacing"] = "None",
            });
        }

        return new JsonObject { ["type"] = "Container", ["separator"] = true, ["items"] = items };
    }

    /// <summary>Hosts show at most a few actions per set (the SDK's default host config: 5); more go in further rows.</summary>
    public const int MaxActionsPerSet = 5;

    /// <summary>
    /// Teams lays a set's buttons out in one row and cuts titles that do not fit ("Keep all unchanged, unfl…"), so a row
    /// holds about this many characters of titles (a button's padding counts as <see cref="ButtonPadding"/>).
    /// </summary>
    public const int MaxRowChars = 60;

    private const int ButtonPadding = 5;

    private static JsonObject ActionSet(IReadOnlyList<ReplyAction> actions)
    {
        var rows = Rows(actions)
            .Select(row => (JsonNode)new JsonObject { ["type"] = "ActionSet", ["actions"] = new JsonArray([.. row.Select(a => (JsonNode)(a.Confirm is null ? Execute(a) : Confirmed(a)))]) })
            .ToList();
        return rows.Count == 1 ? rows[0].AsObject() : new JsonObject { ["type"] = "Container", ["items"] = new JsonArray([.. rows]) };
    }

    private static List<List<ReplyAction>> Rows(IReadOnlyList<ReplyAction> actions)
    {
        var rows = new List<List<ReplyAction>> { new() };
        var width = 0;
        foreach (var action in actions)
        {
            var chars = action.Label.Length + ButtonPadding;
            if (rows[^1].Count == MaxActionsPerSet || (rows[^1].Count > 0 && width + chars > MaxRowChars))
            {
                rows.Add([]);
                width = 0;
            }

            rows[^1].Add(action);
            width += chars;
        }

        return rows;
    }

    /// <summary>
    /// A Universal Action: Teams sends an adaptiveCard/action invoke with verb = the flow's action id and the data (plus
    /// any input values). No Action.Submit fallback: a client that renders a 1.5 card supports Action.Execute, and older
    /// ones show the card's fallbackText instead, so the fallback only doubled every button's size.
    /// </summary>
    public static JsonObject Execute(ReplyAction action)
    {
        var node = new JsonObject
        {
            ["type"] = "Action.Execute",
            ["title"] = SafeText.Clean(action.Label),
            ["verb"] = action.Id,
            ["data"] = Data(action.Data),
        };
        if (Style(action.Style) is { } style)
        {
            node["style"] = style;
        }

        return node;
    }

    // Adaptive Cards have no confirmation dialog: the button opens an inline card that asks and holds the real action.
    private static JsonObject Confirmed(ReplyAction action) => new()
    {
        ["type"] = "Action.ShowCard",
        ["title"] = SafeText.Clean(action.Label),
        ["card"] = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["body"] = new JsonArray { TextBlock(Escape(action.Confirm!)) },
            ["actions"] = new JsonArray { Execute(action with { Label = $"Yes, {action.Label.ToLowerInvariant()}" }) },
        },
    };

    private static JsonObject Data(IReadOnlyDictionary<string, string>? data) =>
        new(data?.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)JsonValue.Create(d.Value))) ?? []);

    private static string? Style(ActionStyle style) => style switch
    {
        ActionStyle.Primary => "positive",
        ActionStyle.Danger => "destructive",
        _ => null,
    };

    private static JsonObject FactSet(IReadOnlyList<ReplyField> fields) =>
        new() { ["type"] = "FactSet", ["facts"] = new JsonArray([.. fields.Select(f => (JsonNode)new JsonObject { ["title"] = Escape(f.Label), ["value"] = Escape(f.Value) })]) };

    private static JsonObject TextBlock(string text, bool subtle = false)
    {
        var node = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (subtle)
        {
            node["isSubtle"] = true;
            node["size"] = "Small";
        }

        return node;
    }

    private static JsonObject MarkdownBlock(RichText text) => new() { ["type"] = "TextBlock", ["text"] = Markdown(text), ["wrap"] = true };

    /// <summary>Neutral text as the Teams markdown subset: plain runs escaped, **bold**, [label](url) for our own links.</summary>
    public static string Markdown(RichText text)
    {
        var sb = new StringBuilder();
        foreach (var run in text.Runs)
        {
            switch (run.Kind)
            {
                case TextRunKind.Bold when run.Text.Trim() is { Length: > 0 } bold:
                    sb.Append(run.Text[..(run.Text.Length - run.Text.TrimStart().Length)]).Append("**").Append(Escape(bold)).Append("**")
                      .Append(run.Text[run.Text.TrimEnd().Length..]);
                    break;
                case TextRunKind.Link when run.Url is { } url:
                    sb.Append('[').Append(Escape(run.Text)).Append("](").Append(url.Replace(")", "%29", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal)).Append(')');
                    break;
                default:
                    sb.Append(Escape(run.Text));
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Plain text for a TextBlock or Fact (both render markdown in Teams): cleaned by the shared text-safety rule, then
    /// markdown's metacharacters backslash-escaped (CommonMark), so "[link](https://evil.example)" or "**" in user text
    /// shows as typed; list and heading markers are escaped only at the start of a line, where they mean something.
    /// </summary>
    public static string Escape(string? text)
    {
        var clean = SafeText.Clean(text);
        var escaped = InlineMarkdown().Replace(clean, @"\$0");
        escaped = LineStartMarker().Replace(escaped, @"$1\$2");
        return OrderedListMarker().Replace(escaped, @"$1$2\$3");
    }

    [GeneratedRegex(@"[\\*_\[\]`~<>&|]")]
    private static partial Regex InlineMarkdown();

    [GeneratedRegex(@"^([ ]*)([#+\-=])", RegexOptions.Multiline)]
    private static partial Regex LineStartMarker();

    [GeneratedRegex(@"^([ ]*)(\d+)([.)])", RegexOptions.Multiline)]
    private static partial Regex OrderedListMarker();
}
