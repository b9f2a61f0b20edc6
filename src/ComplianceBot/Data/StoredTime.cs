namespace ComplianceBot.Data;

/// <summary>
/// The precision a time keeps in every provider: PostgreSQL stores whole microseconds (SQL Server and SQLite keep 100 ns
/// ticks). A time that is hashed or signed is cut to microseconds first, or the row read back no longer matches its hash.
/// </summary>
public static class StoredTime
{
    public static DateTimeOffset ToStoredPrecision(this DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMicrosecond));
}
