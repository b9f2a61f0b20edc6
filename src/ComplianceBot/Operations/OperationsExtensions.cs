using ComplianceBot.Channels.Web;
using ComplianceBot.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Operations;

/// <summary>What an operator needs: a health check that proves the database answers, and a startup log of active channels.</summary>
public static class OperationsExtensions
{
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddHealthChecks().AddDbContextCheck<ComplianceDbContext>("database");
        // A query or body that does not bind is the caller's 400, in every environment: in Development the framework
        // would otherwise throw it into the developer exception page, which logs it as an unhandled error.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddProblemDetails();
        return services;
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

    /// <summary>/healthz: the overall status on the first line ("Healthy" alone when all is well), then what is not healthy and why.</summary>
    public static IEndpointConventionBuilder MapOperations(this IEndpointRouteBuilder routes) =>
        routes.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = (http, report) =>
            {
                http.Response.ContentType = "text/plain; charset=utf-8";
                var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}");
                return http.Response.WriteAsync(string.Join('\n', lines.Prepend(report.Status.ToString())));
            },
        });

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
