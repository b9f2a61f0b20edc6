using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Conversations;
using ComplianceBot.Data;

namespace ComplianceBot.Channels.Slack;

/// <summary>Where the replies to one Slack turn go, and what Slack gave us to get there.</summary>
/// <param name="Channel">Conversation to post in (DM or channel id); null when only <paramref name="UserId"/> is known (App Home).</param>
/// <param name="ThreadTs">Reply in this thread (app mentions).</param>
/// <param name="ResponseUrl">Slash command / ephemeral-message response URL; when set, replies go there (ephemeral).</param>
/// <param name="TriggerId">Fresh trigger id (≈3 s, single use) for opening a modal.</param>
/// <param name="SourceTs">The message an action was clicked on, for <see cref="Reply.UpdatesSource"/>.</param>
/// <param name="SourceIsEphemeral">Ephemeral sources cannot be chat.update-d; they are replaced through the response URL.</param>
public sealed record SlackTarget(string UserId, string? Channel, string? ThreadTs = null, string? ResponseUrl = null, string? TriggerId = null, string? SourceTs = null, bool SourceIsEphemeral = false);

/// <summary>A form shown as an "Open form" button, stored until the button is clicked.</summary>
public sealed record StoredForm(ReplyForm Form, string? Intro);

/// <summary>Delivers a turn's replies to Slack: modal first while the trigger is fresh, then updates and new messages.</summary>
public sealed class SlackResponder(SlackApiClient api, ComplianceDbContext db, MessageParts parts, TimeProvider clock, ILogger<SlackResponder> logger)
{
    public async Task DeliverAsync(IReadOnlyList<Reply> replies, SlackTarget target, CancellationToken cancellationToken)
    {
        var triggerId = target.TriggerId;
        string? channel = target.Channel;
        foreach (var reply in replies)
        {
            if (reply.Form is { } form && triggerId is not null)
            {
                // views.open first, before any other call: the trigger expires about 3 s after the click.
                var context = ContextFor(form, target.Channel, reply.UpdatesSource ? target.SourceTs : null);
                try
                {
                    await api.OpenViewAsync(triggerId, SlackRenderer.RenderModal(form, reply.Text, context), cancellationToken);
                    triggerId = null;
                    continue;
                }
                catch (SlackApiException ex) when (ex.Error is "expired_trigger_id" or "exchanged_trigger_id")
                {
                    // Too late for a modal: fall back to a message with an "Open form" button.
                    logger.LogInformation("Trigger expired; sending the form as a button instead");
                    triggerId = null;
                }
            }

            var messages = await RenderAsync(reply, cancellationToken);
            var first = 0;
            if (reply.UpdatesSource && target.SourceTs is not null)
            {
                if (target.SourceIsEphemeral && target.ResponseUrl is not null)
                {
                    await api.RespondAsync(target.ResponseUrl, ResponseBody(messages[0], replaceOriginal: true), cancellationToken);
                    first = 1;
                }
                else if (channel is not null && !target.SourceIsEphemeral)
                {
                    // Every part of the message clicked on is replaced, wherever the click was.
                    await parts.ReplaceAsync(new MessageRef(ChannelKind.Slack, channel, target.SourceTs), messages, Surface(channel, target.ThreadTs), cancellationToken);
                    continue;
                }
            }

            var posted = new List<string>();
            for (var i = first; i < messages.Count; i++)
            {
                if (target.ResponseUrl is not null)
                {
                    // Slash commands (and clicks on their ephemeral answers) reply privately through the response URL.
                    await api.RespondAsync(target.ResponseUrl, ResponseBody(messages[i], replaceOriginal: false), cancellationToken);
                    continue;
                }

                channel ??= await api.OpenConversationAsync(target.UserId, cancellationToken);
                posted.Add((await api.PostMessageAsync(channel, messages[i].Text, messages[i].Blocks, target.ThreadTs, cancellationToken)).Ts);
            }

            if (posted.Count > 1)
            {
                await parts.RecordAsync(new MessageRef(ChannelKind.Slack, channel!, posted[0]), posted[1..], cancellationToken);
            }
        }
    }

    /// <summary>The messages of one Slack conversation, for <see cref="MessageParts"/>.</summary>
    public IMessageSurface<SlackMessage> Surface(string channel, string? threadTs = null) => new SlackSurface(api, channel, threadTs);

    private sealed class SlackSurface(SlackApiClient api, string channel, string? threadTs) : IMessageSurface<SlackMessage>
    {
        public Task UpdateAsync(string messageId, SlackMessage message, CancellationToken cancellationToken) =>
            api.UpdateMessageAsync(channel, messageId, message.Text, message.Blocks, cancellationToken);

        public async Task<string> PostAsync(SlackMessage message, CancellationToken cancellationToken) =>
            (await api.PostMessageAsync(channel, message.Text, message.Blocks, threadTs, cancellationToken)).Ts;

        public async Task DeleteAsync(string messageId, CancellationToken cancellationToken)
        {
            try
            {
                await api.DeleteMessageAsync(channel, messageId, cancellationToken);
            }
            catch (SlackApiException ex) when (ex.Error == "message_not_found")
            {
                // Someone (or an admin) deleted it already: nothing left to remove.
            }
        }
    }

    /// <summary>Opens a stored form as a modal (the "Open form" button was clicked).</summary>
    public async Task<bool> OpenStoredFormAsync(string formId, string triggerId, string? channel, string? messageTs, CancellationToken cancellationToken)
    {
        var stored = await db.Set<SlackStoredForm>().FindAsync([formId], cancellationToken);
        if (stored is null || JsonSerializer.Deserialize<StoredForm>(stored.FormJson, SlackRenderer.Json) is not { } form)
        {
            return false;
        }

        await api.OpenViewAsync(triggerId, SlackRenderer.RenderModal(form.Form, form.Intro, ContextFor(form.Form, channel, messageTs)), cancellationToken);
        return true;
    }

    /// <summary>Renders a reply for a message; a form is stored and shown as a button that opens it as a modal.</summary>
    public async Task<IReadOnlyList<SlackMessage>> RenderAsync(Reply reply, CancellationToken cancellationToken)
    {
        var formId = reply.Form is { } form ? await StoreFormAsync(form, reply.Text, cancellationToken) : null;
        return SlackRenderer.Render(reply, formId);
    }

    public static SlackFormContext ContextFor(ReplyForm form, string? channel, string? messageTs) =>
        new(form.SubmitActionId, form.Data, [.. form.Inputs.Where(i => i.Required).Select(i => i.Id)], channel, messageTs);

    private async Task<string> StoreFormAsync(ReplyForm form, string? intro, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        db.Add(new SlackStoredForm { Id = id, FormJson = JsonSerializer.Serialize(new StoredForm(form, intro), SlackRenderer.Json), CreatedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    private static JsonObject ResponseBody(SlackMessage message, bool replaceOriginal) => new()
    {
        ["response_type"] = "ephemeral",
        ["replace_original"] = replaceOriginal,
        ["text"] = message.Text,
        ["blocks"] = message.Blocks,
    };
}
