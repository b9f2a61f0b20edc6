using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ComplianceBot.Data;

/// <summary>Stores a DateTimeOffset as UTC ticks: sortable and comparable in SQLite, read back as UTC.</summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
