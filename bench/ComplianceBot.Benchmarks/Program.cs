using System.Diagnostics;
using BenchmarkDotNet.Running;
using ComplianceBot.Ask;
using ComplianceBot.Benchmarks;
using ComplianceBot.Benchmarks.ChangeApprovals;
using ComplianceBot.Benchmarks.OwnerLoop;

// One benchmark project for the whole bot; the first argument picks the runner:
//   latency [rounds] [--cold] [--threads]   Ask: answer-latency percentiles (p50/p99) after warm-up, index build time, memory
//   access-reviews [iterations]   Access reviews: 5,000-account import, page render, bulk keep through the real host
//   owner-loop [iterations] [tasks] [attestations]   Control-owner loop: reminder sweep, planning, sending, auditor export (OwnerLoop/)
//   change-approvals [changes] [concurrency]   Change approvals through Teams: card at a fake Bot Connector, approvals/s (ChangeApprovals/)
//   anything else                 BenchmarkDotNet (e.g. `-- --filter *AnswerLexical* --job short`)
if (args is ["access-reviews", ..])
{
    await AccessReviewRunner.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return 0;
}

if (args is ["owner-loop", .. var ownerLoop])
{
    await OwnerLoopRunner.RunAsync(ownerLoop);
    return 0;
}

if (args is ["change-approvals", .. var changeApprovals])
{
    await ChangeApprovalsRunner.RunAsync(changeApprovals);
    return 0;
}

if (args is ["latency", ..])
{
    var rounds = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 50;
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
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(AskBenchmarks).Assembly).Run(args);
return 0;

static void Measure(string name, AskService service, int rounds)
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
