using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ComplianceBot.Data;

/// <summary>Writes a DateTimeOffset as the same instant at offset 0 (PostgreSQL's timestamptz accepts only that).</summary>
public sealed class UtcDateTimeOffsetConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
    value => value.ToUniversalTime(),
    value => value.ToUniversalTime());
