using System.Runtime;
using System.Runtime.InteropServices;
using ComplianceBot.Ask;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Operations;

/// <summary>
/// Gives memory the host no longer uses back to the system. Once MiniLM is loaded: one compacting collection (the
/// model's ~90 MB of bytes are garbage once ONNX Runtime has its session) and a trim of the C heap; then a trim every
/// <see cref="RuntimeOptions.NativeTrimInterval"/>. glibc keeps freed blocks of ONNX Runtime's start-up and of
/// SQLite in its arenas for reuse: bench/HostLoad measured about 35 MB of resident memory given back by one trim.
/// </summary>
public sealed class NativeMemoryTrimmer(KnowledgeIndex index, IOptions<RuntimeOptions> options, TimeProvider clock, ILogger<NativeMemoryTrimmer> logger) : BackgroundService
{
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _unsupported = !OperatingSystem.IsLinux();
    private int _trims;

    /// <summary>How many trims ran (the admin runtime report shows the memory they gave back).</summary>
    public int Trims => Volatile.Read(ref _trims);

    /// <summary>Completes after the collection and first trim that follow MiniLM's load.</summary>
    public Task Settled => _settled.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.TrimNativeMemory)
        {
            _settled.TrySetResult();
            return;
        }

        try
        {
            await index.DenseReady.WaitAsync(stoppingToken);
            if (index.Embedder is not null)
            {
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }

            Trim();
            using var timer = new PeriodicTimer(options.Value.NativeTrimInterval, clock);
            _settled.TrySetResult();
            while (!_unsupported && await timer.WaitForNextTickAsync(stoppingToken))
            {
                Trim();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    internal void Trim()
    {
        if (_unsupported)
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
            Interlocked.Increment(ref _trims);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl, e.g. Alpine): its allocator returns memory by itself; nothing to do.
            _unsupported = true;
            logger.LogDebug("Native memory trimming is not available on this C library");
        }
    }

    // DllImport, not LibraryImport: the signature needs no marshalling, and LibraryImport would need unsafe code on.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
