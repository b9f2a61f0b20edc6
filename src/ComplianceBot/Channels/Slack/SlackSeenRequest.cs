using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// A signed Slack request (or a view/trigger it carried) we have already acted on, keyed by a SHA-256 digest. Kept in the
/// database so every host refuses the same replay; rows older than the signature window are deleted.
/// </summary>
public sealed class SlackSeenRequest
{
    public required string Key { get; init; }
    public DateTimeOffset SeenAt { get; init; }
}

internal sealed class SlackSeenRequestConfiguration : IEntityTypeConfiguration<SlackSeenRequest>
{
    public void Configure(EntityTypeBuilder<SlackSeenRequest> builder)
    {
        builder.ToTable("SlackSeenRequests");
        builder.HasKey(r => r.Key);
        builder.Property(r => r.Key).HasMaxLength(64);
        builder.HasIndex(r => r.SeenAt);
    }
}
