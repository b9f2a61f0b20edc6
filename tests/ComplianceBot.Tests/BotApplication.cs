using ComplianceBot.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ComplianceBot.Tests;

/// <summary>
/// The real host on a throw-away SQLite file (WAL, like production; background services and requests each open
/// their own connection, which a single shared :memory: connection could not do safely) and a fake clock.
/// </summary>
public class BotApplication : WebApplicationFactory<Program>
{
    /// <summary>The bootstrap key; 32+ characters, as the host requires outside Development.</summary>
    public const string AdminKey = "test-admin-key-0123456789-abcdefghij";

    /// <summary>Friday 27 Nov 2026, 14:00 UTC — a working day in every demo time zone.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2026, 11, 27, 14, 0, 0, TimeSpan.Zero);

    private readonly bool _ownsDataDirectory;

    public BotApplication() : this(sharedDataDirectory: null)
    {
    }

    /// <param name="sharedDataDirectory">
    /// Another host's <see cref="DataDirectory"/>: this host then runs on the same SQLite file and evidence store, like
    /// a second instance behind a load balancer. The host that created the directory deletes it.
    /// </param>
    protected BotApplication(string? sharedDataDirectory)
    {
        _ownsDataDirectory = sharedDataDirectory is null;
        DataDirectory = sharedDataDirectory ?? Path.Combine(Path.GetTempPath(), "compliancebot-tests", Guid.NewGuid().ToString("N"));
    }

    /// <summary>The SQLite file (compliancebot.db) and evidence live here; the host finds it through the DataDirectory setting.</summary>
    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; } = new(DefaultNow);

    /// <summary>Extra configuration for a test, applied on top of appsettings.json.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>Lets a test replace services (fake HTTP handlers, clients) before the host starts.</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; set; }

    public static string RepoRoot { get; } = FindRepoRoot();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseContentRoot(RepoRoot);
        builder.UseSetting("DataDirectory", DataDirectory);
        builder.UseSetting("Admin:ApiKey", AdminKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Loading MiniLM costs seconds of CPU per host; Ask tests that need dense retrieval turn it back on.
        builder.UseSetting("Ask:DenseRetrieval", "false");
        builder.UseSetting("Ask:WatchKnowledge", "false");
        // Every test host lives in this one process: a trim (and its compacting collection) per host per minute would act
        // on all of them at once and cost the suite minutes of kernel time. NativeMemoryTrimmerTests covers the trimmer.
        builder.UseSetting("Runtime:TrimNativeMemory", "false");
        // The reminder loop would race the test's own steps; tests drive ReminderSweep with the fake clock (set true to run it).
        builder.UseSetting("Reminders:Enabled", "false");
        // Likewise the outbox's background dispatcher: commands deliver their own rows right after saving, and tests
        // drive retries with OutboxDispatcher (or the reminder sweep, which runs it) on the fake clock.
        builder.UseSetting("Outbox:Enabled", "false");
        // The weekly digest would land in every test that sweeps on a Monday morning; digest tests turn it on.
        builder.UseSetting("Digest:Enabled", "false");

        // Likewise the hourly checkpoint loop: tests sign checkpoints through AuditCheckpoints when they need one.
        builder.UseSetting("Audit:CheckpointsEnabled", "false");
        // A query that limits rows without ordering them fails the test instead of only logging EF's warning.
        builder.UseSetting("Database:StrictQueries", "true");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureTestServices?.Invoke(services);
        });
    }

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        return client;
    }

    /// <summary>A scope with the host's services (DbContext, flows) for arranging and asserting state.</summary>
    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public static ComplianceDbContext Db(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (!_ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open on this OS; the temp folder is cleaned by the OS eventually.
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ComplianceBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ComplianceBot.sln not found above " + AppContext.BaseDirectory);
    }
}
