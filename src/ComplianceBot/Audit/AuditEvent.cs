using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.Audit;

/// <summary>
/// One entry of the append-only, hash-chained audit trail. <see cref="Hash"/> covers a canonical serialisation
/// of the entry and the previous entry's hash, so editing or deleting any row breaks every later link.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; private set; }

    /// <summary>1, 2, 3… with no gaps; assigned when the event is saved (see <see cref="AuditChainInterceptor"/>).</summary>
    public long Sequence { get; internal set; }
    public DateTimeOffset Timestamp { get; init; }
    public required string Actor { get; init; }
    public required string Action { get; init; }
    public required string Subject { get; init; }

    /// <summary>Canonical JSON object (keys sorted) of the event's details.</summary>
    public required string Data { get; init; }
    public string PreviousHash { get; internal set; } = "";
    public string Hash { get; internal set; } = "";

    public string ComputeHash() => ComputeHash(Sequence, Timestamp, Actor, Action, Subject, Data, PreviousHash);

    public static string ComputeHash(long sequence, DateTimeOffset timestamp, string actor, string action, string subject, string data, string previousHash) =>
        RecordHash.Of(sequence.ToString(CultureInfo.InvariantCulture), FormatTimestamp(timestamp), actor, action, subject, data, previousHash);

    /// <summary>The timestamp as hashed and exported: UTC, ISO 8601, exactly seven fractional digits ("2026-11-27T14:00:00.1234567Z").</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp) => timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static string CanonicalJson(IReadOnlyDictionary<string, string?> data) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string?>(data.ToDictionary(), StringComparer.Ordinal));
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.HasIndex(e => e.Sequence).IsUnique();
        builder.HasIndex(e => new { e.Subject, e.Sequence });
        builder.HasIndex(e => e.Timestamp);
        builder.Property(e => e.Actor).HasMaxLength(256);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.Subject).HasMaxLength(256);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
    }
}
