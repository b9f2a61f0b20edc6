namespace ComplianceBot.Operations;

/// <summary>Runtime housekeeping ("Runtime" section).</summary>
public sealed class RuntimeOptions
{
    /// <summary>
    /// Whether the host trims at all. A trim and its compacting collection act on the whole process, so a process that
    /// runs many hosts (the test suite) turns it off rather than have each host trim everyone's heap every minute.
    /// </summary>
    public bool TrimNativeMemory { get; set; } = true;

    /// <summary>How often freed C-heap memory (ONNX Runtime, SQLite) is given back to the system; a trim costs about a millisecond.</summary>
    public TimeSpan NativeTrimInterval { get; set; } = TimeSpan.FromMinutes(1);
}
