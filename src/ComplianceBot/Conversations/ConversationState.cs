using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Conversations;

/// <summary>Per (channel, tenant, conversation, user) flow state, saved once per turn by the turn processor.</summary>
public sealed class ConversationState
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int Id { get; private set; }
    public ChannelKind Channel { get; init; }
    public required string TenantId { get; init; }
    public required string ConversationId { get; init; }
    public required string UserId { get; init; }
    public string? ActiveFlow { get; set; }
    public string? StateJson { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public void Clear()
    {
        ActiveFlow = null;
        StateJson = null;
    }
}

internal sealed class ConversationStateConfiguration : IEntityTypeConfiguration<ConversationState>
{
    public void Configure(EntityTypeBuilder<ConversationState> builder)
    {
        builder.HasIndex(s => new { s.Channel, s.TenantId, s.ConversationId, s.UserId }).IsUnique();
        builder.Property(s => s.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.TenantId).HasMaxLength(128);
        builder.Property(s => s.ConversationId).HasMaxLength(256);
        builder.Property(s => s.UserId).HasMaxLength(128);
        builder.Property(s => s.ActiveFlow).HasMaxLength(64);
    }
}
