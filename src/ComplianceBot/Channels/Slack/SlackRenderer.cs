using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Conversations;

namespace ComplianceBot.Channels.Slack;

/// <summary>One Slack message: the notification/screen-reader text and its Block Kit blocks (at most 50).</summary>
public sealed record SlackMessage(string Text, JsonArray Blocks);

/// <summary>What a modal carries through Slack in private_metadata: the submit action, its data and where it came from.</summary>
public sealed record SlackFormContext(
    string SubmitActionId,
    IReadOnlyDictionary<string, string>? Data,
    IReadOnlyList<string> Required,
    string? Channel,
    string? MessageTs)
{
    public string Serialize() => JsonSerializer.Serialize(this, SlackRenderer.Json);

    public static SlackFormContext? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            // Only what we wrote ourselves is usable: a context without its submit action or required list is refused.
            return JsonSerializer.Deserialize<SlackFormContext>(json, SlackRenderer.Json) is { SubmitActionId: not null, Required: not null } context ? context : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Renders a <see cref="Reply"/> as Block Kit within Slack's limits: long text is split over several sections, fields
/// ten to a section, buttons 25 to an actions block, and a reply that needs more than 50 blocks continues in further
/// messages — nothing is dropped. Forms become modals (<see cref="RenderModal"/>).
/// </summary>
public static class SlackRenderer
{
    public const int MaxMessageBlocks = 50;
    public const int MaxModalBlocks = 100;
    public const int MaxSectionText = 3000;
    public const int MaxFieldText = 2000;
    public const int MaxFieldsPerSection = 10;
    public const int MaxActionsPerBlock = 25;
    public const int MaxContextElements = 10;
    public const int MaxHeaderText = 150;
    public const int MaxButtonText = 75;
    public const int MaxButtonValue = 2000;
    public const int MaxViewTitle = 24;
    public const int MaxPrivateMetadata = 3000;

    /// <summary>
    /// Text per message, summed over its blocks. Slack rejects long messages with msg_blocks_too_long at about 13,200
    /// characters of block text (undocumented; bolt-js#2509), so we stay 10% under it.
    /// </summary>
    public const int MaxMessageText = 12_000;

    /// <summary>The top-level text is only the notification and screen-reader line; Slack truncates it past 40,000.</summary>
    public const int MaxFallbackText = 3_000;

    /// <summary>action_id of the button that opens a form (shown in a message) as a modal; its value is the stored form id.</summary>
    public const string OpenFormActionId = "slack.open_form";

    /// <summary>callback_id of every modal we open.</summary>
    public const string FormCallbackId = "compliancebot.form";

    /// <summary>Inside an input block the element's action_id is always this; the block_id is the flow's input id.</summary>
    public const string InputActionId = "value";

    /// <summary>Action id prefix of an external_select; the rest is the <see cref="IChoiceSource"/> dataset it searches.</summary>
    public const string SearchActionPrefix = "search:";

    /// <summary>The answer to a block_suggestion: Slack's option objects (label up to 75 characters).</summary>
    public static JsonObject Options(IEnumerable<ChoiceOption> options) =>
        new() { ["options"] = new JsonArray([.. options.Take(100).Select(o => (JsonNode)Option(o))]) };

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Renders a reply as one or more messages. <paramref name="formId"/> is the stored form an "Open form" button opens.</summary>
    public static IReadOnlyList<SlackMessage> Render(Reply reply, string? formId = null)
    {
        var groups = Groups(reply, formId);
        var messages = new List<JsonArray>();
        var current = new JsonArray();
        var size = 0;
        foreach (var group in groups)
        {
            var groupSize = group.Sum(TextLength);
            if (current.Count > 0 && (current.Count + group.Count > MaxMessageBlocks || size + groupSize > MaxMessageText))
            {
                messages.Add(current);
                current = [];
                size = 0;
            }

            foreach (var block in group)
            {
                var length = TextLength(block);
                if (current.Count == MaxMessageBlocks || (current.Count > 0 && size + length > MaxMessageText))
                {
                    messages.Add(current);
                    current = [];
                    size = 0;
                }

                current.Add(block);
                size += length;
            }
        }

        if (current.Count > 0 || messages.Count == 0)
        {
            messages.Add(current);
        }

        // The top-level text is mrkdwn in notifications and the channel list: escaped like every block.
        var fallback = Escape(Shorten(reply.Fallback, MaxFallbackText));
        return [.. messages.Select((blocks, i) => new SlackMessage(
            messages.Count == 1 ? fallback : $"{fallback} (part {i + 1} of {messages.Count})", blocks))];
    }

    /// <summary>The characters of text a block carries (what Slack's undocumented msg_blocks_too_long counts).</summary>
    public static int TextLength(JsonNode? node) => node switch
    {
        JsonObject o => o.Where(p => p.Key is not ("action_id" or "block_id" or "value" or "type" or "style" or "url")).Sum(p => TextLength(p.Value)),
        JsonArray a => a.Sum(TextLength),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length,
        _ => 0,
    };

    /// <summary>The blocks of several replies on one surface (App Home: at most 100); what does not fit is said, not dropped silently.</summary>
    public static JsonObject RenderHome(IEnumerable<Reply> replies, string moreHint)
    {
        var blocks = new JsonArray();
        var groups = replies.SelectMany((r, i) => (i == 0 ? [] : new List<List<JsonNode>> { new() { Divider() } }).Concat(Groups(r, null))).ToList();
        var omitted = 0;
        foreach (var group in groups)
        {
            if (omitted > 0 || blocks.Count + group.Count > MaxModalBlocks - 1)
            {
                omitted++;
                continue;
            }

            foreach (var block in group)
            {
                blocks.Add(block);
            }
        }

        if (omitted > 0)
        {
            blocks.Add(Context([Escape(moreHint)]));
        }

        return new JsonObject { ["type"] = "home", ["blocks"] = blocks };
    }

    /// <summary>A modal for a form. Inputs keep the flow's ids as block_id so values and errors map back one to one.</summary>
    public static JsonObject RenderModal(ReplyForm form, string? intro, SlackFormContext context)
    {
        var blocks = new JsonArray();
        var title = form.Title;
        if (title.Length > MaxViewTitle)
        {
            blocks.Add(Section($"*{Escape(title)}*"));
            title = Shorten(title, MaxViewTitle);
        }

        if (!string.IsNullOrWhiteSpace(intro))
        {
            foreach (var chunk in Split(Escape(intro), MaxSectionText))
            {
                blocks.Add(Section(chunk));
            }
        }

        foreach (var input in form.Inputs)
        {
            blocks.Add(Input(input, form.Errors.GetValueOrDefault(input.Id)));
        }

        if (blocks.Count > MaxModalBlocks)
        {
            throw new InvalidOperationException($"The form \"{form.Title}\" needs {blocks.Count} blocks; a Slack modal holds {MaxModalBlocks}. Split it into steps.");
        }

        var metadata = context.Serialize();
        if (metadata.Length > MaxPrivateMetadata)
        {
            throw new InvalidOperationException($"The form \"{form.Title}\" carries {metadata.Length} characters of data; Slack's private_metadata holds {MaxPrivateMetadata}.");
        }

        return new JsonObject
        {
            ["type"] = "modal",
            ["callback_id"] = FormCallbackId,
            ["title"] = PlainText(title),
            ["submit"] = PlainText(Shorten(form.SubmitLabel, MaxViewTitle)),
            ["close"] = PlainText("Cancel"),
            ["notify_on_close"] = true,
            ["private_metadata"] = metadata,
            ["blocks"] = blocks,
        };
    }

    /// <summary>Reads a submitted modal's values (view.state.values) back into input id → value.</summary>
    public static Dictionary<string, string> ReadValues(JsonElement stateValues)
    {
        var values = new Dictionary<string, string>();
        if (stateValues.ValueKind != JsonValueKind.Object)
        {
            return values;
        }

        foreach (var block in stateValues.EnumerateObject())
        {
            // A block or element that is not an object is not something Slack sends: skip it rather than fail the submission.
            if (block.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var element in block.Value.EnumerateObject())
            {
                var v = element.Value;
                var value = SlackEventHandler.Str(v, "value")
                    ?? (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("selected_option", out var option) ? SlackEventHandler.Str(option, "value") : null);

                values[block.Name] = value ?? "";
            }
        }

        return values;
    }

    /// <summary>A button's data travels as compact JSON in its value.</summary>
    public static string EncodeValue(IReadOnlyDictionary<string, string>? data) =>
        data is null || data.Count == 0 ? "{}" : JsonSerializer.Serialize(data, Json);

    public static Dictionary<string, string> DecodeValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(value, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>The flow action id behind a rendered action_id (we suffix "#n" to keep ids unique within a block).</summary>
    public static string FlowActionId(string actionId)
    {
        var hash = actionId.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? actionId : actionId[..hash];
    }

    /// <summary>
    /// Slack mrkdwn treats &amp;, &lt; and &gt; as control characters (&lt;!channel&gt;, &lt;url|label&gt;): escaped, after
    /// the shared text-safety cleaning. Used for every mrkdwn string and the top-level text.
    /// </summary>
    public static string Escape(string? text) =>
        SafeText.Clean(text).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Neutral text as mrkdwn: plain runs escaped, bold as *bold*, links as &lt;url|label&gt; (our URLs only).</summary>
    public static string Mrkdwn(RichText text)
    {
        var sb = new StringBuilder();
        foreach (var run in text.Runs)
        {
            switch (run.Kind)
            {
                case TextRunKind.Bold when run.Text.Trim() is { Length: > 0 } bold:
                    // Slack bold needs the asterisks against the text; the spaces go outside.
                    sb.Append(run.Text[..(run.Text.Length - run.Text.TrimStart().Length)]).Append('*').Append(Escape(bold).Replace("*", "", StringComparison.Ordinal)).Append('*')
                      .Append(run.Text[run.Text.TrimEnd().Length..]);
                    break;
                case TextRunKind.Link when run.Url is { } url:
                    sb.Append('<').Append(url.Replace("|", "%7C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal)).Append('|').Append(Escape(run.Text)).Append('>');
                    break;
                default:
                    sb.Append(Escape(run.Text));
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Section blocks for neutral text, each within Slack's 3,000 characters after escaping.</summary>
    private static IEnumerable<JsonObject> Sections(RichText? text)
    {
        if (text is null || string.IsNullOrWhiteSpace(text))
        {
            yield break;
        }

        foreach (var chunk in text.Chunk(MaxSectionText - 100))
        {
            var mrkdwn = Mrkdwn(chunk);
            // Escaping grows & < > by up to five times; a chunk full of them is split again as escaped text.
            foreach (var piece in mrkdwn.Length <= MaxSectionText ? [mrkdwn] : Split(mrkdwn, MaxSectionText))
            {
                yield return Section(piece);
            }
        }
    }

    /// <summary>Splits text into chunks of at most <paramref name="max"/> characters, at a line break or space where possible.</summary>
    public static IEnumerable<string> Split(string text, int max)
    {
        var rest = text.AsMemory();
        while (rest.Length > max)
        {
            var window = rest.Span[..max];
            var cut = window.LastIndexOf('\n');
            if (cut < max / 2)
            {
                cut = window.LastIndexOf(' ');
            }

            if (cut < max / 2)
            {
                cut = max;
                // Never split an escape sequence (&amp;) or a surrogate pair.
                var amp = window.LastIndexOf('&');
                if (amp > max - 5 && window[amp..].IndexOf(';') < 0)
                {
                    cut = amp;
                }
                else if (char.IsHighSurrogate(window[max - 1]))
                {
                    cut = max - 1;
                }
            }

            yield return rest[..cut].ToString().TrimEnd();
            rest = rest[cut..].TrimStart();
        }

        if (rest.Length > 0)
        {
            yield return rest.ToString();
        }
    }

    /// <summary>Blocks grouped so a group (an item and its buttons) stays in one message where possible.</summary>
    private static List<List<JsonNode>> Groups(Reply reply, string? formId)
    {
        var groups = new List<List<JsonNode>>();
        if (!string.IsNullOrWhiteSpace(reply.Title))
        {
            var title = SafeText.Clean(reply.Title);
            groups.Add(title.Length <= MaxHeaderText
                ? [new JsonObject { ["type"] = "header", ["text"] = PlainText(title) }]
                : [.. Split(Escape(title), MaxSectionText - 4).Select(t => Section($"*{t}*"))]);
        }

        groups.AddRange(Sections(reply.Text).Select(section => new List<JsonNode> { section }));
        // With details (a change's description), the decision comes first: short facts, the buttons, then long facts and details.
        var decisionFirst = reply.Details is not null;
        var (shortFields, longFields) = decisionFirst ? (reply.Fields.Where(IsShort).ToList(), reply.Fields.Where(f => !IsShort(f)).ToList()) : ([.. reply.Fields], []);
        groups.AddRange(FieldSections(shortFields).Select(b => new List<JsonNode> { b }));
        if (decisionFirst)
        {
            groups.AddRange(ActionBlocks(reply.Actions).Select(b => new List<JsonNode> { b }));
            groups.AddRange(FieldSections(longFields).Select(b => new List<JsonNode> { b }));
        }

        foreach (var item in reply.Items)
        {
            var group = new List<JsonNode>();
            foreach (var chunk in Split(Escape(item.Text), MaxSectionText))
            {
                group.Add(Section(chunk));
            }

            foreach (var block in FieldSections(item.Fields))
            {
                group.Add(block);
            }

            foreach (var block in ActionBlocks(item.Actions))
            {
                group.Add(block);
            }

            groups.Add(group);
        }

        if (reply.Form is { } form)
        {
            if (formId is null)
            {
                throw new InvalidOperationException("A reply with a form needs a stored form id to render its \"open\" button.");
            }

            var prompt = Section($"*{Escape(form.Title)}*");
            prompt["accessory"] = new JsonObject
            {
                ["type"] = "button",
                ["action_id"] = OpenFormActionId,
                ["text"] = PlainText(Shorten(form.Title.Length <= 30 ? form.Title : "Open form", MaxButtonText)),
                ["value"] = formId,
                ["style"] = "primary",
            };
            groups.Add([prompt]);
        }

        if (!decisionFirst)
        {
            groups.AddRange(ActionBlocks(reply.Actions).Select(b => new List<JsonNode> { b }));
        }

        // Below the buttons: Slack's clients collapse long messages behind their own "Show more".
        if (reply.Details is { } details)
        {
            groups.AddRange(Sections(details).Select(section => new List<JsonNode> { section }));
        }

        if (reply.Citations.Count > 0)
        {
            var lines = reply.Citations.Select(c => Escape($"{c.Id} {c.Title} — {c.Source}")).SelectMany(l => Split(l, MaxFieldText)).ToList();
            var elements = new List<string> { "*Sources*" };
            elements.AddRange(lines);
            groups.AddRange(elements.Chunk(MaxContextElements).Select(chunk => new List<JsonNode> { Context(chunk) }));
        }

        return groups;
    }

    /// <summary>A fact short enough to sit among the key facts above the buttons.</summary>
    public static bool IsShort(ReplyField field) => field.Label.Length + field.Value.Length <= ShortFieldText;

    private const int ShortFieldText = 300;

    private static IEnumerable<JsonObject> FieldSections(IReadOnlyList<ReplyField> fields)
    {
        var pending = new List<JsonNode>();
        foreach (var field in fields)
        {
            var text = $"*{Escape(field.Label)}*\n{Escape(field.Value)}";
            if (text.Length <= MaxFieldText)
            {
                pending.Add(MarkdownText(text));
                if (pending.Count == MaxFieldsPerSection)
                {
                    yield return new JsonObject { ["type"] = "section", ["fields"] = new JsonArray([.. pending]) };
                    pending.Clear();
                }

                continue;
            }

            // A field too long for a field slot gets its own full-width section(s), in order.
            if (pending.Count > 0)
            {
                yield return new JsonObject { ["type"] = "section", ["fields"] = new JsonArray([.. pending]) };
                pending.Clear();
            }

            foreach (var chunk in Split(text, MaxSectionText))
            {
                yield return Section(chunk);
            }
        }

        if (pending.Count > 0)
        {
            yield return new JsonObject { ["type"] = "section", ["fields"] = new JsonArray([.. pending]) };
        }
    }

    private static IEnumerable<JsonObject> ActionBlocks(IReadOnlyList<ReplyAction> actions) =>
        actions.Chunk(MaxActionsPerBlock).Select(chunk =>
        {
            var seen = new Dictionary<string, int>();
            var elements = new JsonArray();
            foreach (var action in chunk)
            {
                var n = seen[action.Id] = seen.GetValueOrDefault(action.Id) + 1;
                elements.Add(Button(action, n == 1 ? action.Id : $"{action.Id}#{n}"));
            }

            return new JsonObject { ["type"] = "actions", ["elements"] = elements };
        });

    private static JsonObject Button(ReplyAction action, string actionId)
    {
        var value = EncodeValue(action.Data);
        if (value.Length > MaxButtonValue)
        {
            throw new InvalidOperationException($"The data of button \"{action.Label}\" ({action.Id}) is {value.Length} characters; Slack carries at most {MaxButtonValue}.");
        }

        var button = new JsonObject
        {
            ["type"] = "button",
            ["action_id"] = actionId,
            ["text"] = PlainText(Shorten(action.Label, MaxButtonText)),
            ["value"] = value,
        };
        if (action.Style != ActionStyle.Default)
        {
            button["style"] = action.Style == ActionStyle.Danger ? "danger" : "primary";
        }

        if (action.Confirm is { } confirm)
        {
            button["confirm"] = new JsonObject
            {
                ["title"] = PlainText("Are you sure?"),
                ["text"] = MarkdownText(Shorten(Escape(confirm), 300)),
                ["confirm"] = PlainText(Shorten(action.Label, 30)),
                ["deny"] = PlainText("Cancel"),
            };
        }

        return button;
    }

    private static JsonObject Input(ReplyInput input, string? error)
    {
        JsonObject element;
        if (input is { Kind: InputKind.Choice, Dataset: { } dataset })
        {
            // Slack asks the options load URL (block_suggestion) as the user types; the action id names the dataset.
            element = new JsonObject { ["type"] = "external_select", ["action_id"] = SearchActionPrefix + dataset, ["min_query_length"] = 1 };
            if (input.Options.FirstOrDefault(o => o.Value == input.Value) is { } selected)
            {
                element["initial_option"] = Option(selected);
            }
        }
        else if (input.Kind == InputKind.Choice)
        {
            if (input.Options.Count > 100)
            {
                throw new InvalidOperationException($"The choice \"{input.Label}\" has {input.Options.Count} options; a Slack select holds 100.");
            }

            var options = new JsonArray([.. input.Options.Select(o => (JsonNode)Option(o))]);
            element = new JsonObject { ["type"] = input.Options.Count <= 5 ? "radio_buttons" : "static_select", ["action_id"] = InputActionId, ["options"] = options };
            if (input.Options.FirstOrDefault(o => o.Value == input.Value) is { } selected)
            {
                element["initial_option"] = Option(selected);
            }
        }
        else
        {
            element = new JsonObject { ["type"] = "plain_text_input", ["action_id"] = InputActionId, ["multiline"] = input.Kind == InputKind.MultilineText };
            if (!string.IsNullOrEmpty(input.Value))
            {
                element["initial_value"] = input.Value;
            }
        }

        if (input.Placeholder is { Length: > 0 } placeholder && element["type"]!.GetValue<string>() != "radio_buttons")
        {
            element["placeholder"] = PlainText(Shorten(placeholder, 150));
        }

        var block = new JsonObject
        {
            ["type"] = "input",
            ["block_id"] = input.Id,
            ["label"] = PlainText(Shorten(input.Label, 2000)),
            ["optional"] = !input.Required,
            ["element"] = element,
        };
        if (error is not null)
        {
            block["hint"] = PlainText(Shorten("⚠ " + error, 2000));
        }

        return block;
    }

    private static JsonObject Option(ChoiceOption option) => new() { ["text"] = PlainText(Shorten(option.Label, 75)), ["value"] = option.Value };

    private static JsonObject Section(string mrkdwn) => new() { ["type"] = "section", ["text"] = MarkdownText(mrkdwn) };

    private static JsonObject Context(IEnumerable<string> mrkdwn) =>
        new() { ["type"] = "context", ["elements"] = new JsonArray([.. mrkdwn.Select(t => (JsonNode)MarkdownText(t))]) };

    private static JsonObject Divider() => new() { ["type"] = "divider" };

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = SafeText.Clean(text), ["emoji"] = true };

    private static JsonObject MarkdownText(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>For labels only (buttons, titles), where Slack has hard caps; content text is split, never shortened.</summary>
    private static string Shorten(string text, int max)
    {
        text = SafeText.Clean(text);
        if (text.Length <= max)
        {
            return text;
        }

        var sb = new StringBuilder(text, 0, max - 1, max);
        return sb.Append('…').ToString();
    }
}
