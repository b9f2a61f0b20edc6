using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// An Events API delivery, stored before we acknowledge it. (TeamId, EventId) is unique, so Slack's retries and
/// duplicates collapse into one row; hosts claim rows with a lease (LeaseOwner/LeaseUntil) so each is processed once.
/// </summary>
public sealed class SlackInboxEvent
{
    public const string TableName = "SlackInbox";

    public long Id { get; private set; }
    public required string TeamId { get; init; }
    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public required string Payload { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public int Attempts { get; private set; }
    public string? LeaseOwner { get; private set; }
    public DateTimeOffset LeaseUntil { get; private set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    public string? Error { get; set; }
}

internal sealed class SlackInboxEventConfiguration : IEntityTypeConfiguration<SlackInboxEvent>
{
    public void Configure(EntityTypeBuilder<SlackInboxEvent> builder)
    {
        // Column names are fixed because the acknowledgement path writes this table with raw SQL (SlackInboxWriter).
        builder.ToTable(SlackInboxEvent.TableName);
        builder.HasIndex(e => new { e.TeamId, e.EventId }).IsUnique();
        // Unprocessed rows in id order, lease included: a claim reads the oldest 256 claimable rows from the index and stops,
        // however many events wait behind them. With (ProcessedAt, LeaseUntil) SQLite sorted the whole backlog for each
        // claim, so a processor that fell behind (bench/SlackLoad: 12,000 waiting) got slower the further it fell behind.
        builder.HasIndex(e => new { e.ProcessedAt, e.Id, e.LeaseUntil });
        builder.Property(e => e.TeamId).HasMaxLength(64);
        builder.Property(e => e.EventId).HasMaxLength(128);
        builder.Property(e => e.EventType).HasMaxLength(64);
        builder.Property(e => e.LeaseOwner).HasMaxLength(64);
        builder.Property(e => e.Error).HasMaxLength(2000);
    }
}

/// <summary>A form the bot showed as an "Open form" button in a message; the button carries this id, the modal is built from it.</summary>
public sealed class SlackStoredForm
{
    public required string Id { get; init; }
    public required string FormJson { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class SlackStoredFormConfiguration : IEntityTypeConfiguration<SlackStoredForm>
{
    public void Configure(EntityTypeBuilder<SlackStoredForm> builder)
    {
        builder.ToTable("SlackForms");
        builder.Property(f => f.Id).HasMaxLength(32);
        builder.HasIndex(f => f.CreatedAt);
    }
}
