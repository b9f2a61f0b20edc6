using System.Diagnostics;
using ComplianceBot.Knowledge;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Ask;

/// <summary>
/// Holds the current <see cref="SearchIndex"/>. Built from knowledge/ on first use (so the host starts at once),
/// rebuilt when the files change, and upgraded with MiniLM vectors once the model has loaded in the background;
/// until then retrieval is lexical only. A rebuild that fails keeps the previous index. Passage vectors come from
/// the <see cref="EmbeddingCache"/> when one is given, so a restart embeds nothing that was embedded before.
/// </summary>
public sealed class KnowledgeIndex(IOptions<AskOptions> options, IOptions<KnowledgeOptions> knowledge, IHostEnvironment environment, ILogger<KnowledgeIndex> logger, EmbeddingCache? cache = null)
{
    // People ask the same things again (and click the same follow-up buttons): recent question vectors are kept.
    private readonly LruCache<string, float[]> _queryVectors = new(options.Value.QueryVectorCacheSize);
    private readonly Lock _gate = new();
    private readonly Lock _preparationGate = new();
    private readonly TaskCompletionSource _denseReady = DenseReadySource(options.Value.DenseRetrieval);
    private TaskCompletionSource _built = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SearchIndex? _current;
    private IEmbedder? _embedder;
    private Task? _preparation;
    private int _version;

    public string Root { get; } = Path.GetFullPath(Path.Combine(environment.ContentRootPath, knowledge.Value.Path));

    public SearchIndex Current
    {
        get
        {
            if (Volatile.Read(ref _current) is { } index)
            {
                return index;
            }

            lock (_gate)
            {
                return _current ?? Build();
            }
        }
    }

    /// <summary>The embedder, once loaded; null while loading or when dense retrieval is off.</summary>
    public IEmbedder? Embedder => Volatile.Read(ref _embedder);

    /// <summary>How many times the index has been built (1 after the first build).</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Completes when dense vectors are in the index (or dense retrieval is off or failed to load).</summary>
    public Task DenseReady => _denseReady.Task;

    /// <summary>Completes at the next successful build (lets callers observe a file-triggered rebuild).</summary>
    public Task NextBuild => Volatile.Read(ref _built).Task;

    /// <summary>The question's vector from the loaded embedder (recent questions from memory), or null while lexical only.</summary>
    public float[]? QueryVector(string question)
    {
        if (Embedder is not { } embedder)
        {
            return null;
        }

        return _queryVectors.GetOrAdd(question.Trim(), q => embedder.Embed([q])[0]);
    }

    /// <summary>
    /// Builds the first index, then the hybrid one once MiniLM has loaded, on the thread pool. Program starts this before
    /// migrating the database and importing the knowledge, which keep one core busy, so the host serves with hybrid
    /// retrieval from its first request; the background service shares the same work. A failure of the first build is
    /// left to that service, which builds again and logs it.
    /// </summary>
    public Task PrepareInBackground(MiniLmLoader model, CancellationToken stopping)
    {
        lock (_preparationGate)
        {
            return _preparation ??= Task.Run(() =>
            {
                try
                {
                    _ = Current;
                }
                catch (Exception ex) when (ex is KnowledgeImportException or IOException or UnauthorizedAccessException)
                {
                }

                LoadEmbedder(model.Get, stopping);
            }, CancellationToken.None);
        }
    }

    public void Rebuild()
    {
        lock (_gate)
        {
            try
            {
                Build();
            }
            catch (Exception ex) when (ex is KnowledgeImportException or IOException or UnauthorizedAccessException)
            {
                logger.LogError(ex, "Knowledge index not rebuilt; answering from the previous version");
            }
        }
    }

    /// <summary>Loads MiniLM and embeds every passage; called from the background service.</summary>
    public void LoadEmbedder(Func<IEmbedder> factory, CancellationToken cancellationToken)
    {
        if (!options.Value.DenseRetrieval)
        {
            _denseReady.TrySetResult();
            return;
        }

        try
        {
            var watch = Stopwatch.StartNew();
            var embedder = factory();
            Volatile.Write(ref _embedder, embedder);
            lock (_gate)
            {
                // The lexical index's corpus is the same files (a change since then rebuilds on its own): reading and
                // splitting them again cost a second or two of a cold start, and a new corpus retrained the intent head.
                // (A lexical build that started after the embedder was set has already embedded them.)
                if (_current is not { HasVectors: true })
                {
                    Build(_current?.Corpus, cancellationToken);
                }
            }

            logger.LogInformation("Ask: MiniLM loaded and passages embedded in {Elapsed} ms; retrieval is hybrid now", watch.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // The host is stopping. ONNX Runtime reports a cancelled run as its own failure ("terminate flag being set"),
            // which is not an error worth logging: report it as the cancellation it is.
            throw new OperationCanceledException("Stopped while embedding the knowledge passages", ex, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Dense retrieval is an enhancement: without it BM25 still answers.
            logger.LogError(ex, "Ask: MiniLM could not be loaded; retrieval stays lexical only");
        }
        finally
        {
            _denseReady.TrySetResult();
        }
    }

    /// <summary>What MiniLM embeds for a passage (its vector's cache key is this text's hash).</summary>
    public static string EmbeddingText(Passage passage) => $"{passage.Title}. {passage.Section}. {passage.Text}";

    /// <summary>Already complete when dense retrieval is off: there is nothing to wait for (and /healthz must not race the background service).</summary>
    private static TaskCompletionSource DenseReadySource(bool denseRetrieval)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!denseRetrieval)
        {
            source.SetResult();
        }

        return source;
    }

    private SearchIndex Build(KnowledgeCorpus? loaded = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var corpus = loaded ?? KnowledgeCorpus.Load(Root);
        float[][]? vectors = null;
        var embedded = 0;
        if (Embedder is { } embedder)
        {
            var texts = corpus.Passages.Select(EmbeddingText).ToList();
            (vectors, embedded) = cache is null ? (embedder.Embed(texts, cancellationToken), texts.Count) : cache.GetOrEmbed(embedder, texts, cancellationToken);
        }

        var index = new SearchIndex(corpus, vectors);
        Volatile.Write(ref _current, index);
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _built, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        logger.LogInformation("Ask: indexed {Passages} passages from {Documents} sources in {Elapsed} ms ({Mode}, {Embedded} passages embedded, the rest from the cache)",
            corpus.Passages.Count, corpus.Documents.Count, watch.ElapsedMilliseconds, vectors is null ? "lexical" : "hybrid", embedded);
        return index;
    }
}

/// <summary>Builds the index at startup, loads MiniLM in the background, and rebuilds on knowledge file changes (debounced).</summary>
public sealed class KnowledgeIndexService(KnowledgeIndex index, MiniLmLoader model, IOptions<AskOptions> options, TimeProvider time, ILogger<KnowledgeIndexService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _watching = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once file changes are being watched.</summary>
    public Task Watching => _watching.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the startup path: Program started the index and MiniLM before the database was migrated; this shares it.
        await Task.Yield();
        var dense = index.PrepareInBackground(model, stoppingToken);
        try
        {
            _ = index.Current;
        }
        catch (Exception ex) when (ex is KnowledgeImportException or IOException)
        {
            logger.LogError(ex, "Ask: knowledge index could not be built");
        }

        if (options.Value.WatchKnowledge && Directory.Exists(index.Root))
        {
            await WatchAsync(stoppingToken);
        }

        await dense;
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(index.Root) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        void OnChange(object? sender, FileSystemEventArgs e) => changed.Release();
        watcher.Changed += OnChange;
        watcher.Created += OnChange;
        watcher.Deleted += OnChange;
        watcher.Renamed += (sender, e) => changed.Release();
        _watching.TrySetResult();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await changed.WaitAsync(stoppingToken);
                // Debounce: wait until the files have been quiet for a moment, then rebuild once.
                while (await changed.WaitAsync(options.Value.RebuildDebounce, time, stoppingToken))
                {
                }

                logger.LogInformation("Ask: knowledge files changed; rebuilding the index");
                index.Rebuild();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

internal static class SemaphoreExtensions
{
    public static async Task<bool> WaitAsync(this SemaphoreSlim semaphore, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, timeoutSource.Token);
        var wait = semaphore.WaitAsync(timeoutSource.Token);
        var winner = await Task.WhenAny(wait, delay);
        await timeoutSource.CancelAsync();
        if (winner == wait)
        {
            await wait;
            return true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }
}
