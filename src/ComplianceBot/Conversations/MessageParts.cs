using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Conversations;

/// <summary>What a channel does to one of its messages; <see cref="MessageParts.ReplaceAsync{T}"/> drives it.</summary>
/// <typeparam name="T">The channel's rendered message (Slack blocks, an Adaptive Card).</typeparam>
public interface IMessageSurface<in T>
{
    Task UpdateAsync(string messageId, T message, CancellationToken cancellationToken);

    /// <summary>Posts a new message to the conversation and returns its id.</summary>
    Task<string> PostAsync(T message, CancellationToken cancellationToken);

    Task DeleteAsync(string messageId, CancellationToken cancellationToken);
}

/// <summary>
/// A reply that needs several messages is one logical message: every part's id is remembered under the first (the
/// head), and an update — from a click on any part, or a later decision — replaces every part in order, posts the
/// parts it needs beyond those, and deletes the parts it no longer needs. Used by the Slack and Teams delivery code.
/// </summary>
public sealed class MessageParts(ComplianceDbContext db)
{
    /// <summary>Remembers the parts after the head (none: forgets any earlier ones).</summary>
    public async Task RecordAsync(MessageRef head, IReadOnlyList<string> continuations, CancellationToken cancellationToken)
    {
        var stored = await PartsAsync(head.Channel, head.ConversationId, head.MessageId, cancellationToken);
        if (stored.Select(p => p.PartId).SequenceEqual(continuations))
        {
            return;
        }

        db.RemoveRange(stored);
        // The old rows go first: the new ones may reuse their (head, index) keys.
        await db.SaveChangesAsync(cancellationToken);
        db.AddRange(continuations.Select((id, i) => new MessagePart
        {
            Channel = head.Channel, ConversationId = head.ConversationId, HeadId = head.MessageId, Index = i + 1, PartId = id,
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The head of the logical message <paramref name="part"/> belongs to, and its position there (0 = the head).</summary>
    public async Task<(MessageRef Head, int Position)> HeadOfAsync(MessageRef part, CancellationToken cancellationToken)
    {
        var row = await db.Set<MessagePart>().AsNoTracking()
            .Where(p => p.Channel == part.Channel && p.ConversationId == part.ConversationId && p.PartId == part.MessageId)
            .OrderByDescending(p => p.Id).FirstOrDefaultAsync(cancellationToken);
        return row is null ? (part, 0) : (part with { MessageId = row.HeadId }, row.Index);
    }

    /// <summary>
    /// Replaces the logical message that <paramref name="anyPart"/> belongs to with <paramref name="messages"/>: part i
    /// becomes message i, extra messages are posted, parts left over are deleted. Returns the head.
    /// </summary>
    public async Task<MessageRef> ReplaceAsync<T>(MessageRef anyPart, IReadOnlyList<T> messages, IMessageSurface<T> surface, CancellationToken cancellationToken)
    {
        var (head, _) = await HeadOfAsync(anyPart, cancellationToken);
        var existing = (await PartsAsync(head.Channel, head.ConversationId, head.MessageId, cancellationToken)).Select(p => p.PartId).ToList();
        await surface.UpdateAsync(head.MessageId, messages[0], cancellationToken);
        var now = new List<string>();
        for (var i = 1; i < messages.Count; i++)
        {
            if (i - 1 < existing.Count)
            {
                await surface.UpdateAsync(existing[i - 1], messages[i], cancellationToken);
                now.Add(existing[i - 1]);
            }
            else
            {
                now.Add(await surface.PostAsync(messages[i], cancellationToken));
            }
        }

        foreach (var stale in existing.Skip(messages.Count - 1))
        {
            await surface.DeleteAsync(stale, cancellationToken);
        }

        await RecordAsync(head, now, cancellationToken);
        return head;
    }

    private Task<List<MessagePart>> PartsAsync(ChannelKind channel, string conversationId, string headId, CancellationToken cancellationToken) =>
        db.Set<MessagePart>().Where(p => p.Channel == channel && p.ConversationId == conversationId && p.HeadId == headId)
            .OrderBy(p => p.Index).ToListAsync(cancellationToken);
}
