using ComplianceBot.Conversations;

namespace ComplianceBot.Channels.Web;

public sealed record WebAction(string Id, string Label, IReadOnlyDictionary<string, string> Data, string Style, string? Confirm);

public sealed record WebInput(string Id, string Label, string Kind, bool Required, string? Value, string? Placeholder, IReadOnlyList<ChoiceOption> Options, string? Dataset = null);

public sealed record WebForm(string Title, WebAction Submit, IReadOnlyList<WebInput> Inputs, IReadOnlyDictionary<string, string> Errors);

public sealed record WebItem(string Text, IReadOnlyList<ReplyField> Fields, IReadOnlyList<WebAction> Actions);

/// <summary>The web chat's wire form of a <see cref="Reply"/>; documented in README ("Local web chat").</summary>
public sealed record WebReply(
    string Text,
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
        reply.Text,
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
}
