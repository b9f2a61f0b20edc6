using System.Diagnostics;
using ComplianceBot.Ask;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Understanding;

/// <summary>
/// The offline classifier. A lexical head is trained on first use (milliseconds); once MiniLM has loaded for Ask, a
/// hybrid head over the same exemplars plus their vectors replaces it. A knowledge change (new people, systems,
/// controls) retrains from the new lexicon. Query vectors come from <see cref="KnowledgeIndex.QueryVector"/>, so a
/// message that then goes to Ask is encoded once.
/// </summary>
public sealed class OfflineIntentClassifier(KnowledgeIndex index, IOptions<UnderstandingOptions> options, ILogger<OfflineIntentClassifier> logger, EmbeddingCache? cache = null) : IIntentClassifier
{
    private readonly Lock _gate = new();
    private Trained? _current;
    private IEmbedder? _ownEmbedder;
    // Its own lock: _gate is held while a head trains, and asking for the shared task must not wait for that.
    private readonly Lock _hybridTrainingGate = new();
    private Task? _hybridTraining;

    public string ExemplarFolder => Path.Combine(index.Root, options.Value.Exemplars);

    /// <summary>The organisation's name from knowledge/program/program.yaml.</summary>
    public string Organisation => index.Current.Corpus.Profile.Organisation is { Length: > 0 } name ? name : "the organisation";

    public IntentModel Model
    {
        get
        {
            var corpus = index.Current.Corpus;
            if (Volatile.Read(ref _current) is { } current && ReferenceEquals(current.Corpus, corpus))
            {
                return current.Model;
            }

            lock (_gate)
            {
                if (_current is { } again && ReferenceEquals(again.Corpus, corpus))
                {
                    return again.Model;
                }

                // A new knowledge version: keep the kind of head we had (hybrid once MiniLM is there).
                var model = Build(corpus, _current?.Model.IsHybrid == true ? _ownEmbedder ?? index.Embedder : null);
                Volatile.Write(ref _current, new Trained(model, corpus));
                return model;
            }
        }
    }

    public Task<IntentResult> ClassifyAsync(string text, string? senderEmail, DateOnly today, CancellationToken cancellationToken) =>
        Task.FromResult(Classify(text, senderEmail, today));

    public IntentResult Classify(string text, string? senderEmail, DateOnly today)
    {
        var model = Model;
        var vector = !model.IsHybrid ? null
            : _ownEmbedder is { } own ? own.Embed([TextNormalizer.ForEmbedding(text)])[0]
            : index.QueryVector(TextNormalizer.ForEmbedding(text));
        var (ranked, exact, cue) = model.Predict(text, vector);
        var slots = SlotExtractor.Extract(text, model.Lexicon, today, senderEmail);
        var (label, confidence) = (ranked[0].Label, ranked[0].Probability);
        // A likely unsafe request is refused even when the head is unsure: refusing a harmless message costs a rephrase.
        // With an unsafe cue in the text (a falsifying, secret-seeking or self-approving phrase) a lower share will do.
        var unsafeProbability = ranked.FirstOrDefault(s => s.Label == IntentLabels.Unsafe)?.Probability ?? 0;
        if (label != IntentLabels.Unsafe && !exact
            && ((confidence < options.Value.MinConfidence && unsafeProbability >= IntentRouting.UnsafeFloor) || (cue && unsafeProbability >= IntentRouting.CueFloor)))
        {
            return new IntentResult(IntentLabels.Unsafe, unsafeProbability, ranked, slots, cue ? IntentRouting.CueSource : "offline");
        }

        return new IntentResult(label, confidence, ranked, slots, exact ? "exemplar" : "offline");
    }

    /// <summary>
    /// Retrains with MiniLM vectors once Ask's index has them, on the thread pool. Program starts this before migrating
    /// the database and importing the knowledge, so the training does not compete with the first requests; the
    /// background service shares the same work and logs its failure.
    /// </summary>
    public Task UpgradeToHybridWhenReady(CancellationToken stopping)
    {
        lock (_hybridTrainingGate)
        {
            return _hybridTraining ??= Task.Run(async () =>
            {
                await index.DenseReady.WaitAsync(stopping);
                UpgradeToHybrid(stopping);
            }, CancellationToken.None);
        }
    }

    /// <summary>Retrains with MiniLM vectors; called once the embedder has loaded.</summary>
    /// <param name="embedder">An embedder of its own (benchmarks, tests); by default Ask's, whose question vectors are shared.</param>
    public void UpgradeToHybrid(CancellationToken cancellationToken, IEmbedder? embedder = null)
    {
        if (!options.Value.UseEmbeddings || (embedder ?? index.Embedder) is not { } encoder)
        {
            return;
        }

        _ownEmbedder = embedder;
        var corpus = index.Current.Corpus;
        var model = Build(corpus, encoder, cancellationToken);
        lock (_gate)
        {
            Volatile.Write(ref _current, new Trained(model, corpus));
        }
    }

    private IntentModel Build(KnowledgeCorpus corpus, IEmbedder? embedder, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var exemplars = ExemplarFiles.Load(ExemplarFolder);
        float[][]? vectors = null;
        if (embedder is not null)
        {
            var texts = exemplars.Select(e => TextNormalizer.ForEmbedding(e.Text)).ToList();
            vectors = cache is null ? embedder.Embed(texts, cancellationToken) : cache.For("intents").GetOrEmbed(embedder, texts, cancellationToken).Vectors;
        }

        var model = IntentModel.Train(exemplars, Lexicon.From(corpus), vectors, options.Value.DenseWeight);
        logger.LogInformation("Understanding: {Mode} intent head trained on {Count} exemplars for {Labels} labels in {Training} ms ({Total} ms with loading and vectors)",
            model.IsHybrid ? "hybrid (words + MiniLM)" : "lexical", model.ExemplarCount, model.Labels.Count, model.TrainingTime.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture), watch.ElapsedMilliseconds);
        return model;
    }

    private sealed record Trained(IntentModel Model, KnowledgeCorpus Corpus);
}

/// <summary>Waits for MiniLM (loaded for Ask in the background), then retrains the intent head with its vectors.</summary>
public sealed class IntentModelService(OfflineIntentClassifier classifier, ILogger<IntentModelService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await classifier.UpgradeToHybridWhenReady(stoppingToken).WaitAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lexical head keeps answering.
            logger.LogError(ex, "Understanding: the hybrid intent head could not be trained; staying lexical");
        }
    }
}
