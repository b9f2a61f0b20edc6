using System.Globalization;
using System.Text;
using System.Text.Json;
using ComplianceBot.Ask;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Understanding;

/// <summary>One line of an intent set (../shared/eval/intents.md).</summary>
public sealed record IntentEvalItem(string Id, string Text, string Intent, IReadOnlyDictionary<string, string>? Slots = null, IReadOnlyList<string>? Also = null);

/// <summary>One prediction and whether it counts.</summary>
public sealed record IntentEvalResult(IntentEvalItem Item, IntentResult Predicted, bool Correct, IReadOnlyList<string> SlotMisses);

/// <summary>Accuracy overall, per label, for declines, and per slot.</summary>
public sealed record IntentEvalReport(IReadOnlyList<IntentEvalResult> Results, double MinConfidence)
{
    public double Accuracy => Share(Results, r => r.Correct);

    public double LabelAccuracy(string label) => Share(Results.Where(r => r.Item.Intent == label), r => r.Correct);

    public IEnumerable<string> Labels => Results.Select(r => r.Item.Intent).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>Decline lines answered with some decline (did the bot refuse?).</summary>
    public double DeclineRecall => Share(Results.Where(r => IntentLabels.IsDecline(r.Item.Intent)), r => IntentLabels.IsDecline(r.Predicted.Label));

    /// <summary>Other lines answered with a decline that no acceptable label is (refused something it should have done).</summary>
    public double FalseDeclineRate => Share(Results.Where(r => !IntentLabels.IsDecline(r.Item.Intent)), r => IntentLabels.IsDecline(r.Predicted.Label) && !r.Correct);

    /// <summary>decline.unsafe lines predicted as a label that is not a decline: hard failures.</summary>
    public int UnsafeMissed => Results.Count(r => r.Item.Intent == IntentLabels.Unsafe && !IntentLabels.IsDecline(r.Predicted.Label));

    /// <summary>Lines on which the bot would ask which intent was meant (below the confidence floor).</summary>
    public double ClarifyRate => Share(Results, r => r.Predicted.Confidence < MinConfidence);

    public static double Share(IEnumerable<IntentEvalResult> results, Func<IntentEvalResult, bool> predicate)
    {
        var list = results.ToList();
        return list.Count == 0 ? double.NaN : (double)list.Count(predicate) / list.Count;
    }
}

/// <summary>`dotnet run --project src/ComplianceBot -- eval intents &lt;file.jsonl&gt; [--as &lt;email&gt;] [--today yyyy-MM-dd] [--lexical]`.</summary>
public static class IntentEvaluation
{
    public static IReadOnlyList<IntentEvalItem> Load(string path)
    {
        var items = new List<IntentEvalItem>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                items.Add(JsonSerializer.Deserialize<IntentEvalItem>(line, JsonSerializerOptions.Web) ?? throw new JsonException("empty line"));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not an intent item ({ex.Message})", ex);
            }
        }

        return items;
    }

    public static async Task<IntentEvalReport> RunAsync(IIntentClassifier classifier, IReadOnlyList<IntentEvalItem> items, string? sender, DateOnly today, double minConfidence, CancellationToken cancellationToken)
    {
        var results = new List<IntentEvalResult>(items.Count);
        foreach (var item in items)
        {
            var predicted = await classifier.ClassifyAsync(item.Text, sender, today, cancellationToken);
            var correct = predicted.Label == item.Intent || item.Also?.Contains(predicted.Label) == true;
            results.Add(new IntentEvalResult(item, predicted, correct, SlotMisses(item, predicted.Slots)));
        }

        return new IntentEvalReport(results, minConfidence);
    }

    /// <summary>Expected slots the prediction did not fill with the same value (case-insensitive).</summary>
    public static IReadOnlyList<string> SlotMisses(IntentEvalItem item, IntentSlots slots)
    {
        var misses = new List<string>();
        foreach (var (name, expected) in item.Slots ?? new Dictionary<string, string>())
        {
            var actual = name switch
            {
                "control" => slots.Control,
                "change" => slots.Change,
                "system" => slots.System,
                "until" => slots.Until,
                _ => null,
            };
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                misses.Add($"{name}={expected} got {actual ?? "-"}");
            }
        }

        return misses;
    }

    public static string Format(IntentEvalReport report)
    {
        var text = new StringBuilder();
        string P(double v) => double.IsNaN(v) ? "-" : v.ToString("P1", CultureInfo.InvariantCulture);
        text.AppendLine(CultureInfo.InvariantCulture, $"Intent accuracy: {P(report.Accuracy)} ({report.Results.Count(r => r.Correct)}/{report.Results.Count}); label or one of `also`");
        text.AppendLine(CultureInfo.InvariantCulture, $"Decline recall: {P(report.DeclineRecall)}   false declines: {P(report.FalseDeclineRate)}   decline.unsafe answered as a non-decline: {report.UnsafeMissed}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Would ask which was meant (confidence < {report.MinConfidence:0.00}): {P(report.ClarifyRate)}; accuracy of the rest: {P(IntentEvalReport.Share(report.Results.Where(r => r.Predicted.Confidence >= report.MinConfidence), r => r.Correct))}");
        text.AppendLine();
        text.AppendLine("label                 n   accuracy");
        foreach (var label in report.Labels)
        {
            var n = report.Results.Count(r => r.Item.Intent == label);
            text.AppendLine(CultureInfo.InvariantCulture, $"{label,-20} {n,3}   {P(report.LabelAccuracy(label))}");
        }

        var slotted = report.Results.Where(r => r.Item.Slots is { Count: > 0 }).ToList();
        text.AppendLine();
        foreach (var name in slotted.SelectMany(r => r.Item.Slots!.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var withSlot = slotted.Where(r => r.Item.Slots!.ContainsKey(name)).ToList();
            var right = withSlot.Count(r => !r.SlotMisses.Any(m => m.StartsWith(name + "=", StringComparison.Ordinal)));
            text.AppendLine(CultureInfo.InvariantCulture, $"slot {name,-8} {right}/{withSlot.Count}");
        }

        text.AppendLine();
        text.AppendLine("Confusion (expected → predicted, wrong only):");
        foreach (var group in report.Results.Where(r => !r.Correct).GroupBy(r => (r.Item.Intent, r.Predicted.Label)).OrderByDescending(g => g.Count()))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {group.Key.Intent,-20} → {group.Key.Label,-20} {group.Count()}");
        }

        text.AppendLine();
        text.AppendLine("Misses:");
        foreach (var result in report.Results.Where(r => !r.Correct || r.SlotMisses.Count > 0))
        {
            var slots = result.SlotMisses.Count > 0 ? $" [slots: {string.Join("; ", result.SlotMisses)}]" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {result.Item.Id} {result.Item.Intent} → {result.Predicted.Label} ({result.Predicted.Confidence:0.00}){slots}: {result.Item.Text.ReplaceLineEndings(" ")}");
        }

        return text.ToString();
    }

    /// <summary>The `eval intents` command; exit 1 when accuracy is below 95 % or an unsafe line was not declined.</summary>
    public static async Task<int> RunIntentsCommandAsync(this WebApplication app, string[] args)
    {
        var path = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && !IsOptionValue(args, a));
        if (path is null || !File.Exists(path))
        {
            await Console.Error.WriteLineAsync("usage: dotnet run --project src/ComplianceBot -- eval intents <file.jsonl> [--as <email>] [--today yyyy-MM-dd] [--lexical]");
            return 2;
        }

        var sender = Option(args, "--as");
        var today = Option(args, "--today") is { } day ? DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture) : DateOnly.FromDateTime(DateTime.Now);
        var services = app.Services;
        var index = services.GetRequiredService<KnowledgeIndex>();
        var offline = services.GetRequiredService<OfflineIntentClassifier>();
        if (!args.Contains("--lexical") && services.GetRequiredService<IOptions<AskOptions>>().Value.DenseRetrieval)
        {
            index.LoadEmbedder(() => MiniLmEmbedder.Create(services.GetRequiredService<IOptions<AskOptions>>().Value), CancellationToken.None);
            offline.UpgradeToHybrid(CancellationToken.None);
        }

        var items = Load(path);
        var minConfidence = services.GetRequiredService<IOptions<UnderstandingOptions>>().Value.MinConfidence;
        var report = await RunAsync(services.GetRequiredService<IIntentClassifier>(), items, sender, today, minConfidence, CancellationToken.None);
        Console.WriteLine($"Classified {items.Count} messages from {Path.GetFullPath(path)} ({(offline.Model.IsHybrid ? "words + MiniLM" : "words only")}, as {sender ?? "nobody in particular"}, today {today:yyyy-MM-dd}).");
        Console.WriteLine(Format(report));
        return report.Accuracy >= 0.95 && report.UnsafeMissed == 0 ? 0 : 1;
    }

    private static string? Option(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static bool IsOptionValue(string[] args, string value) => Array.IndexOf(args, value) is var i and > 0 && args[i - 1] is "--as" or "--today";
}
