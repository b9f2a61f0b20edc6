using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Conversations;

/// <summary>
/// A continuation of a message that did not fit in one (Slack ts or Teams activity id). The head is the first part, the
/// id every <see cref="MessageRef"/> names; <see cref="MessageParts"/> keeps the rest so an update replaces them all.
/// </summary>
public sealed class MessagePart
{
    public long Id { get; private set; }
    public ChannelKind Channel { get; init; }
    public required string ConversationId { get; init; }
    public required string HeadId { get; init; }

    /// <summary>1 for the second message of the reply, 2 for the third, …</summary>
    public int Index { get; init; }
    public required string PartId { get; init; }
}

internal sealed class MessagePartConfiguration : IEntityTypeConfiguration<MessagePart>
{
    public void Configure(EntityTypeBuilder<MessagePart> builder)
    {
        builder.Property(p => p.ConversationId).HasMaxLength(256);
        builder.Property(p => p.HeadId).HasMaxLength(256);
        builder.Property(p => p.PartId).HasMaxLength(256);
        builder.HasIndex(p => new { p.Channel, p.ConversationId, p.HeadId, p.Index }).IsUnique();
        builder.HasIndex(p => new { p.Channel, p.ConversationId, p.PartId });
    }
}
