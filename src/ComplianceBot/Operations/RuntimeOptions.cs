namespace ComplianceBot.Operations;

/// <summary>Runtime housekeeping ("Runtime" section).</summary>
public sealed class RuntimeOptions
{
    /// <summary>How often freed C-heap memory (ONNX Runtime, SQLite) is given back to the system; a trim costs about a millisecond.</summary>
    public TimeSpan NativeTrimInterval { get; set; } = TimeSpan.FromMinutes(1);
}
