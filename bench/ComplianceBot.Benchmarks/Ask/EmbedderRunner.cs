using System.Diagnostics;
using System.Globalization;
using ComplianceBot.Ask;
using ComplianceBot.LoadTesting;

namespace ComplianceBot.Benchmarks.Ask;

/// <summary>
/// MiniLM alone, original (fp32) against quantised (int8) weights: session load time, process CPU and wall time per
/// question (one text per run, as a chat turn asks) and how closely the int8 vectors follow the fp32 ones (cosine).
/// Distinct questions, so no cache helps. The host's memory with each is bench/HostLoad's (`--env Ask__EncoderWeights=Original`).
/// Usage: dotnet run -c Release --no-build --project bench/ComplianceBot.Benchmarks -- embedder [questions=400] [threads=1]
/// </summary>
public static class EmbedderRunner
{
    public static void Run(string[] args)
    {
        var count = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 400;
        var threads = args.Length > 1 && int.TryParse(args[1], CultureInfo.InvariantCulture, out var t) ? t : 1;
        var intents = Path.Combine(AskBenchmarks.RepoRoot, "knowledge", "intents");
        var questions = File.ReadLines(Path.Combine(intents, "ask.txt")).Concat(File.ReadLines(Path.Combine(intents, "program.lookup.txt")))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        string Question(int i) => $"{questions[i % questions.Count]} (ref {i / questions.Count + 1})";

        float[][]? original = null;
        foreach (var weights in new[] { MiniLmWeights.Original, MiniLmWeights.Quantized })
        {
            var load = Stopwatch.StartNew();
            using var embedder = new MiniLmEmbedder(threads, weights: weights);
            load.Stop();
            for (var i = 0; i < 50; i++)
            {
                embedder.Embed([Question(count + i)]);
            }

            var latencies = new List<double>(count);
            var vectors = new float[count][];
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                vectors[i] = embedder.Embed([Question(i)])[0];
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            var cpuPer = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count;
            var percentiles = new Percentiles(latencies);
            var agreement = original is null ? "" : $"; cosine with fp32 min {Cosines(original, vectors).Min():F4} mean {Cosines(original, vectors).Average():F4}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{weights,-9} load {load.ElapsedMilliseconds} ms; per question CPU {cpuPer:F2} ms, wall p50 {percentiles.At(50):F2} p99 {percentiles.At(99):F2} ms ({count} questions, {threads} thread(s)){agreement}"));
            original ??= vectors;
        }
    }

    private static IEnumerable<double> Cosines(float[][] a, float[][] b) =>
        a.Zip(b, (x, y) => x.Zip(y, (p, q) => (double)p * q).Sum());
}
