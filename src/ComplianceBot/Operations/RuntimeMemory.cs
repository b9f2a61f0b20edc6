using System.Runtime;

namespace ComplianceBot.Operations;

/// <summary>
/// What GET /api/admin/runtime reports: the process's resident memory split into the garbage-collected heap and the
/// rest (native: ONNX Runtime and the model, SQLite, code), CPU used so far and the GC mode. It tells an operator
/// where memory goes before any profiler is attached.
/// </summary>
public sealed record RuntimeMemory(
    long ResidentBytes,
    long? ResidentAnonymousBytes,
    long? ResidentFileBytes,
    long ManagedHeapBytes,
    long GcCommittedBytes,
    long NativeBytes,
    long AllocatedBytes,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    string GcMode,
    double CpuMilliseconds)
{
    public static RuntimeMemory Now()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var resident = process.WorkingSet64;
        var gc = GC.GetGCMemoryInfo();
        var status = ProcStatus();
        return new RuntimeMemory(
            resident,
            status.GetValueOrDefault("RssAnon"),
            status.GetValueOrDefault("RssFile"),
            gc.HeapSizeBytes,
            gc.TotalCommittedBytes,
            Math.Max(0, resident - gc.TotalCommittedBytes),
            GC.GetTotalAllocatedBytes(),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            $"{(GCSettings.IsServerGC ? "server" : "workstation")}, {GCSettings.LatencyMode}, conserve {ConserveMemory()}",
            process.TotalProcessorTime.TotalMilliseconds);
    }

    /// <summary>The effective GCConserveMemory level, however it was set (runtimeconfig or DOTNET_GCConserveMemory).</summary>
    private static object ConserveMemory() =>
        GC.GetConfigurationVariables().FirstOrDefault(v => v.Key.Contains("ConserveMem", StringComparison.OrdinalIgnoreCase)).Value ?? 0;

    /// <summary>The "Name: N kB" lines of /proc/self/status (Linux only; empty elsewhere).</summary>
    private static Dictionary<string, long?> ProcStatus()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return [];
        }

        return File.ReadLines(path)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[1].TrimEnd().EndsWith(" kB", StringComparison.Ordinal))
            .ToDictionary(parts => parts[0], parts => (long?)long.Parse(parts[1].Trim()[..^3].Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024);
    }
}
