using System.Net;
using System.Text.Json;
using ComplianceBot.Operations;
using ComplianceBot.Conversations;
using ComplianceBot.Outbox;
using ComplianceBot.Tests.Channels.Web;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ComplianceBot.Tests.Operations;

/// <summary>Probes an orchestrator can use, and telemetry that is silent unless an OTLP endpoint is configured.</summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task AHostOnItsDefaultsIsLiveAndReadyAndHealthzStaysAsItWas()
    {
        using var app = new BotApplication();
        var client = app.CreateClient();

        var live = await client.GetAsync("/healthz/live");
        var ready = await client.GetAsync("/healthz/ready");
        var healthz = await client.GetAsync("/healthz");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["migrations"]);
        Assert.Equal("Healthy", checks["knowledge-imported"]);
        Assert.Equal("Healthy", checks["evidence-storage"]);
        Assert.Equal("Healthy", checks["database"]);
    }

    [Fact]
    public async Task AnAdminSeesWhereTheMemoryGoesAndNobodyElseDoes()
    {
        using var app = new BotApplication();

        var anonymous = await app.CreateClient().GetAsync("/api/admin/runtime");
        var runtime = JsonDocument.Parse(await app.CreateAdminClient().GetStringAsync("/api/admin/runtime")).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var resident = runtime.GetProperty("residentBytes").GetInt64();
        var heap = runtime.GetProperty("managedHeapBytes").GetInt64();
        Assert.InRange(heap, 1, resident);
        Assert.Equal(Math.Max(0, resident - runtime.GetProperty("gcCommittedBytes").GetInt64()), runtime.GetProperty("nativeBytes").GetInt64());
        Assert.True(runtime.GetProperty("cpuMilliseconds").GetDouble() > 0);
        Assert.Contains("conserve", runtime.GetProperty("gcMode").GetString(), StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.True(runtime.GetProperty("residentAnonymousBytes").GetInt64() > 0);
        }
    }

    [Fact]
    public async Task WithoutImportedKnowledgeTheHostIsLiveButNotReadyAndSaysWhy()
    {
        using var app = new BotApplication();
        app.Settings["Knowledge:ImportOnStartup"] = "false";
        var client = app.CreateClient();

        var ready = await client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("no knowledge imported yet", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUnreachableEvidenceStoreMakesTheHostNotReady()
    {
        using var app = new BotApplication();
        app.Settings["Evidence:Store"] = "AzureBlob";
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        app.Settings["Evidence:Blob:ConnectionString"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        var client = app.CreateClient();

        var ready = await client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var evidence = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "evidence-storage");
        Assert.Equal("Unhealthy", evidence.GetProperty("status").GetString());
        Assert.Contains("evidence", evidence.GetProperty("description").GetString());
    }

    [Fact]
    public async Task TurnsAreCountedPerChannelAndIntentAndTheOutboxIsMeasured()
    {
        using var app = new BotApplication();
        _ = app.CreateClient();
        using var turns = new MetricCollector<long>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), ComplianceMetrics.Name, "compliancebot.turns");

        await new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example").SayAsync("my tasks");
        await using (var scope = app.Scope())
        {
            // A row no dispatcher has picked up yet (the background dispatcher is off in tests).
            var db = BotApplication.Db(scope);
            var dana = await db.People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
            scope.ServiceProvider.GetRequiredService<OutboxWriter>().ToPerson(dana, new Reply("metrics"), "test:metrics", "test", "test:metrics");
            await db.SaveChangesAsync();
        }

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await using var probeScope = app.Scope();
        var outbox = await probeScope.ServiceProvider.GetRequiredService<IOutboxProbe>().MeasureAsync(default);

        var turn = Assert.Single(turns.GetMeasurementSnapshot());
        Assert.Equal(("Web", "tasks.list", "ok"), ((string?)turn.Tags["channel"], (string?)turn.Tags["intent"], (string?)turn.Tags["outcome"]));
        Assert.True(outbox.Depth >= 1);
        Assert.True(outbox.OldestAge >= TimeSpan.FromMinutes(10));
    }

    [Fact]
    public void WithoutAnOtlpEndpointNoTelemetryIsCollectedOrSent()
    {
        using var app = new BotApplication();
        _ = app.CreateClient();

        Assert.Null(app.Services.GetService<MeterProvider>());
        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.DoesNotContain(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s is OutboxSampler);
    }

    [Fact]
    public async Task WithAnOtlpEndpointTracesAndMetricsReachTheCollector()
    {
        await using var collector = new FakeOtlpCollector();
        using var app = new BotApplication();
        app.Settings["Telemetry:OtlpEndpoint"] = collector.Endpoint.ToString();
        app.Settings["Telemetry:MetricExportInterval"] = "00:00:00.200";
        _ = app.CreateClient();

        await new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example").SayAsync("help");

        await collector.WaitForAsync("/v1/metrics", "compliancebot.turns", TimeSpan.FromSeconds(30));
        await collector.WaitForAsync("/v1/traces", "/api/chat", TimeSpan.FromSeconds(30));
        Assert.All(collector.Exports, e => Assert.Equal("application/x-protobuf", e.ContentType));
    }
}
