using System.Diagnostics;
using ComplianceBot.Ask;
using ComplianceBot.Benchmarks.Ask;
using ComplianceBot.LoadTesting;
using ComplianceBot.Understanding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Benchmarks.Understanding;

/// <summary>
/// The front door's cost per classified message (words + MiniLM, the production head) after warm-up: p50/p90/p99/max,
/// every message encoded (no question-vector cache); training time of both heads; memory the classifier adds.
/// Usage: dotnet run -c Release --no-build --project bench/ComplianceBot.Benchmarks -- intents [rounds=20] [file.jsonl]
/// </summary>
public static class IntentLatencyRunner
{
    public static void Run(string[] args)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], out var r) ? r : 20;
        var file = args.Skip(1).FirstOrDefault() ?? Path.Combine(AskBenchmarks.RepoRoot, "tests", "ComplianceBot.Tests", "Understanding", "Data", "intents-crosscheck.jsonl");
        var messages = IntentEvaluation.Load(file).Select(i => i.Text).ToList();

        // The host has the knowledge index and MiniLM loaded for Ask anyway: measure what the classifier adds on top.
        var (_, index) = AskBenchmarks.CreateService(dense: false);
        _ = index.Current;
        var embedder = new MiniLmEmbedder();
        embedder.Embed(["warm up the encoder"]);
        var before = MemoryNow();
        var classifier = new OfflineIntentClassifier(index, Options.Create(new UnderstandingOptions()), NullLogger<OfflineIntentClassifier>.Instance);
        var lexical = classifier.Model;
        var lexicalBytes = MemoryNow() - before;
        Console.WriteLine($"lexical head: {lexical.ExemplarCount} exemplars, {lexical.Labels.Count} labels, trained in {lexical.TrainingTime.TotalMilliseconds:F0} ms; weights {lexical.WeightBytes / 1024.0:F0} KB");
        Measure("words only", classifier, messages, rounds);

        var upgrade = Stopwatch.StartNew();
        classifier.UpgradeToHybrid(CancellationToken.None, embedder);
        upgrade.Stop();
        var hybrid = classifier.Model;
        Console.WriteLine($"hybrid head: trained in {hybrid.TrainingTime.TotalMilliseconds:F0} ms ({upgrade.ElapsedMilliseconds} ms with embedding every exemplar, no vector cache); weights {hybrid.WeightBytes / 1024.0:F0} KB");
        Measure("words + MiniLM (production)", classifier, messages, rounds);
        GC.KeepAlive(lexical);
        Console.WriteLine($"memory added by the classifier (managed heap, both heads built, hybrid current): {(MemoryNow() - before) / 1024.0 / 1024.0:F1} MB (lexical head alone {lexicalBytes / 1024.0 / 1024.0:F1} MB); process working set {Environment.WorkingSet / 1024 / 1024} MB");
    }

    private static void Measure(string name, OfflineIntentClassifier classifier, IReadOnlyList<string> messages, int rounds)
    {
        var today = new DateOnly(2026, 11, 27);
        foreach (var message in messages)
        {
            classifier.Classify(message, null, today);
        }

        var samples = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var message in messages)
            {
                var watch = Stopwatch.StartNew();
                classifier.Classify(message, null, today);
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        var p = new Percentiles(samples);
        Console.WriteLine($"{name}: {samples.Count} classifications, ms p50={p.At(50):F2} p90={p.At(90):F2} p99={p.At(99):F2} max={p.At(100):F2}");
    }

    private static long MemoryNow() => GC.GetTotalMemory(forceFullCollection: true);
}
