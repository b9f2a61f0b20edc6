using System.Diagnostics;
using ComplianceBot.Ask;

namespace ComplianceBot.Benchmarks.Ask;

/// <summary>
/// Ask answer latency: percentiles (p50/p90/p99) after warm-up for lexical and hybrid retrieval, index build time, memory.
/// Usage: dotnet run -c Release --project bench/ComplianceBot.Benchmarks -- latency [rounds] [--cold] [--threads]
/// </summary>
public static class AskLatencyRunner
{
    /// <param name="args">The arguments after the runner name: [rounds (50)] [--cold] [--threads].</param>
    public static void Run(string[] args)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], out var r) ? r : 50;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var build = Stopwatch.StartNew();
        var (lexical, lexicalIndex) = AskBenchmarks.CreateService(dense: false);
        _ = lexicalIndex.Current;
        build.Stop();
        var afterLexical = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"index build (lexical, cold, incl. parsing knowledge/): {build.ElapsedMilliseconds} ms, {lexicalIndex.Current.Corpus.Passages.Count} passages, retained ~{(afterLexical - before) / 1024.0 / 1024.0:F1} MB");

        var warm = Stopwatch.StartNew();
        lexicalIndex.Rebuild();
        Console.WriteLine($"index rebuild (lexical, warm): {warm.ElapsedMilliseconds} ms");

        Measure("offline lexical", lexical, rounds);

        // Passage vectors: a cold start embeds every passage; a restart reads them from the on-disk cache.
        if (args.Contains("--cold") && Directory.Exists(AskBenchmarks.EmbeddingCacheDirectory))
        {
            Directory.Delete(AskBenchmarks.EmbeddingCacheDirectory, recursive: true);
        }

        foreach (var threads in args.Contains("--threads") ? new[] { 0, 1, 2 } : [0])
        {
            var (hybrid, hybridIndex) = AskBenchmarks.CreateService(dense: true, queryCache: 0, encoderThreads: threads);
            var load = Stopwatch.StartNew();
            hybridIndex.LoadEmbedder(() => new MiniLmEmbedder(threads), CancellationToken.None);
            Console.WriteLine($"MiniLM load + passage vectors (background at startup; cache {AskBenchmarks.EmbeddingCacheDirectory}): {load.ElapsedMilliseconds} ms; process working set {Environment.WorkingSet / 1024 / 1024} MB");
            Measure($"offline hybrid (BM25 + MiniLM), every question encoded, ONNX intra-op threads {threads} (0 = runtime default)", hybrid, rounds);
        }

        var (cached, cachedIndex) = AskBenchmarks.CreateService(dense: true, queryCache: 256);
        cachedIndex.LoadEmbedder(() => new MiniLmEmbedder(), CancellationToken.None);
        Measure("offline hybrid, repeated questions (question-vector LRU hit)", cached, rounds);
    }

    private static void Measure(string name, AskService service, int rounds)
    {
        foreach (var question in AskBenchmarks.Questions)
        {
            service.AnswerAsync(question, CancellationToken.None).GetAwaiter().GetResult();
        }

        var samples = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var question in AskBenchmarks.Questions)
            {
                var watch = Stopwatch.StartNew();
                service.AnswerAsync(question, CancellationToken.None).GetAwaiter().GetResult();
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        samples.Sort();
        double P(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
        Console.WriteLine($"{name}: n={samples.Count} p50={P(0.50):F2} ms p90={P(0.90):F2} ms p99={P(0.99):F2} ms max={samples[^1]:F2} ms");
    }
}
