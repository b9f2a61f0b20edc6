using System.Text.Json;
using ComplianceBot.Admin;
using ComplianceBot.Channels.Web;
using ComplianceBot.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ComplianceBot.Operations;

/// <summary>
/// What an operator needs: liveness and readiness probes, OpenTelemetry traces and metrics (exported over OTLP only
/// when configured), and a startup log of active channels.
/// </summary>
public static class OperationsExtensions
{
    /// <summary>Checks only /healthz/ready runs: they need the database schema, the knowledge and the evidence store.</summary>
    private const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHealthChecks()
            .AddDbContextCheck<ComplianceDbContext>("database")
            .AddCheck<MigrationsHealthCheck>("migrations", tags: [ReadyTag])
            .AddCheck<KnowledgeImportedHealthCheck>("knowledge-imported", tags: [ReadyTag])
            .AddCheck<EvidenceStorageHealthCheck>("evidence-storage", tags: [ReadyTag]);

        services.AddOptions<TelemetryOptions>().BindConfiguration("Telemetry");
        services.AddMetrics();
        services.AddSingleton<ComplianceMetrics>();
        services.AddScoped<IOutboxProbe, Outbox.OutboxProbe>();
        services.AddOptions<RuntimeOptions>().BindConfiguration("Runtime");
        services.AddHostedService<NativeMemoryTrimmer>();
        // A query or body that does not bind is the caller's 400, in every environment: in Development the framework
        // would otherwise throw it into the developer exception page, which logs it as an unhandled error.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddProblemDetails();

        var telemetry = builder.Configuration.GetSection("Telemetry").Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (telemetry.OtlpEndpoint is { } endpoint)
        {
            // Only here: without an endpoint no provider, exporter or sampler exists, so nothing leaves the host.
            services.AddHostedService<OutboxSampler>();
            var protocol = Enum.Parse<OtlpExportProtocol>(telemetry.Protocol, ignoreCase: true);
            void Exporter(OtlpExporterOptions otlp, string signal)
            {
                otlp.Protocol = protocol;
                otlp.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint, signal) : endpoint;
                otlp.Headers = telemetry.Headers;
            }

            services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
                .WithTracing(tracing => tracing
                    .AddSource(ComplianceMetrics.Name)
                    .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = http => !http.Request.Path.StartsWithSegments("/healthz"))
                    .AddHttpClientInstrumentation()
                    .AddOtlpExporter(otlp => Exporter(otlp, "v1/traces")))
                .WithMetrics(metrics => metrics
                    .AddMeter(ComplianceMetrics.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddOtlpExporter((otlp, reader) =>
                    {
                        Exporter(otlp, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)telemetry.MetricExportInterval.TotalMilliseconds;
                    }));
        }

        return builder;
    }

    /// <summary>One error shape everywhere: unhandled exceptions and bodiless 4xx/5xx answers become ProblemDetails (RFC 9457).</summary>
    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler();
        }

        app.UseStatusCodePages();
        return app;
    }

    /// <summary>
    /// /healthz (database, Ask, knowledge: the overall status on the first line, "Healthy" alone when all is well, then what
    /// is not healthy and why), /healthz/live (the process answers), /healthz/ready (JSON with each check) and, for admins,
    /// /api/admin/runtime (memory: managed heap vs native, CPU, GC mode).
    /// </summary>
    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = check => !check.Tags.Contains(ReadyTag),
            ResponseWriter = (http, report) =>
            {
                http.Response.ContentType = "text/plain; charset=utf-8";
                var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}");
                return http.Response.WriteAsync(string.Join('\n', lines.Prepend(report.Status.ToString())));
            },
        });
        routes.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks("/healthz/ready", new HealthCheckOptions { ResponseWriter = WriteReportAsync });
        routes.MapGet("/api/admin/runtime", () => TypedResults.Ok(RuntimeMemory.Now())).RequireAuthorization(ApiPolicies.Admin).WithTags("Admin");
        return routes;
    }

    private static Task WriteReportAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description ?? e.Value.Exception?.Message }),
        }, cancellationToken: http.RequestAborted);
    }

    /// <summary>One line per channel: active, or which settings are missing. Each channel adds its own <see cref="ChannelStatus"/>.</summary>
    public static void LogChannelStatus(this WebApplication app)
    {
        var webChat = app.Services.GetRequiredService<IOptions<WebChatOptions>>().Value.IsEnabled(app.Environment);
        if (webChat)
        {
            app.Logger.LogInformation("Channel Web chat: active at / and /api/chat (anyone can pick an identity: keep it to local development)");
        }
        else
        {
            app.Logger.LogInformation("Channel Web chat: inactive (set WebChat:Enabled=true to turn it on outside Development)");
        }
        foreach (var status in app.Services.GetServices<ChannelStatus>())
        {
            app.Logger.LogInformation("Channel {Channel}: {Status}", status.Channel, status.Describe());
        }

        if (string.IsNullOrEmpty(app.Configuration["Scim:Token"]))
        {
            app.Logger.LogInformation("SCIM provisioning: closed (set Scim:Token to let Okta or Microsoft Entra keep the directory at /scim/v2)");
        }
        else
        {
            app.Logger.LogInformation("SCIM provisioning: active at /scim/v2");
        }

        if (string.IsNullOrEmpty(app.Configuration["Admin:ApiKey"]))
        {
            app.Logger.LogWarning("Admin API: no bootstrap key — Admin:ApiKey is not set, so only per-person keys (if any were created) open /api/admin/*");
        }
    }
}

/// <summary>A channel's self-description for the startup log ("active" or "inactive: set Slack:SigningSecret, Slack:BotToken").</summary>
public sealed record ChannelStatus(string Channel, Func<string> Describe);
