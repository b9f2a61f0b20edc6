using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Channels.Web;

/// <summary>A proactive message for the web chat (reminder, approval card), fetched by the page from its inbox.</summary>
public sealed class WebMessage
{
    public long Id { get; private set; }

    /// <summary>The recipient, or null for a shared channel message (see <see cref="ChannelName"/>).</summary>
    public int? PersonId { get; init; }
    public string? ChannelName { get; init; }
    public required string ReplyJson { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The sender's idempotency key ("reminder:42"); unique, so a resend after a crash finds this row instead of adding one.</summary>
    public string? DeliveryKey { get; init; }
}

internal sealed class WebMessageConfiguration : IEntityTypeConfiguration<WebMessage>
{
    public void Configure(EntityTypeBuilder<WebMessage> builder)
    {
        builder.HasIndex(m => new { m.PersonId, m.Id });
        builder.HasIndex(m => new { m.PersonId, m.UpdatedAt });
        builder.Property(m => m.ChannelName).HasMaxLength(128);
        builder.Property(m => m.DeliveryKey).HasMaxLength(128);
        builder.HasIndex(m => m.DeliveryKey).IsUnique();
    }
}
