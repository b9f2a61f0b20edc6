using System.Net;
using ComplianceBot.Conversations;
using ComplianceBot.Operations;
using Microsoft.Bot.Builder.Integration.AspNet.Core;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ComplianceBot.Channels.Teams;

/// <summary>How /api/messages authenticates, decided once at startup from configuration and environment.</summary>
public enum TeamsAuthMode
{
    /// <summary>Not configured: /api/messages is not mapped (404).</summary>
    Inactive,

    /// <summary>Development without MicrosoftAppId: the SDK accepts unauthenticated requests (local fake connector only).</summary>
    Anonymous,

    /// <summary>Every request must carry a valid Bot Connector token for MicrosoftAppId.</summary>
    Authenticated,
}

/// <summary>The auth mode as a service (an enum cannot be registered directly).</summary>
public sealed record TeamsAuth(TeamsAuthMode Mode);

/// <summary>The Teams channel: Bot Framework SDK adapter, bot, messenger and the /api/messages endpoint.</summary>
public static class TeamsChannel
{
    /// <summary>The HttpClient the SDK uses for the Bot Connector and its OpenID metadata: retries 429/412/502/504.</summary>
    public const string ConnectorClientName = "teams-connector";

    /// <summary>Downloads of files users send: Teams' downloadUrl is pre-authenticated, so no bot token is attached.</summary>
    public const string FilesClientName = "teams-files";

    public static IServiceCollection AddTeams(this IServiceCollection services)
    {
        services.AddOptions<TeamsOptions>().BindConfiguration("Teams");
        services.AddSingleton<IValidateOptions<TeamsOptions>, TeamsStartupCheck>();
        services.AddOptions<TeamsOptions>().ValidateOnStart();
        services.AddMemoryCache();

        services.AddHttpClient(ConnectorClientName)
            // Connector clients are kept across turns (ReusedClientsAuthentication), so their HttpClient outlives the
            // factory's handler rotation: pooled connections are recycled instead, to follow DNS changes.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .AddResilienceHandler("teams-connector-retry", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<TeamsOptions>>().Value;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    // Teams throttles per bot and thread (429) and answers 412/502/504 on transient conflicts and outages;
                    // 403 (blocked, uninstalled), 404 and 413 are not worth repeating.
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests
                        or HttpStatusCode.PreconditionFailed or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout
                        || args.Outcome.Exception is HttpRequestException),
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.RetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldRetryAfterHeader = true,
                });
            });
        services.AddHttpClient(FilesClientName);

        services.AddSingleton(sp => new TeamsAuth(TeamsStartupCheck.Decide(
            BotCredentials.From(sp.GetRequiredService<IConfiguration>()),
            sp.GetRequiredService<IOptions<TeamsOptions>>().Value,
            sp.GetRequiredService<IHostEnvironment>())));
        services.AddSingleton<ServiceClientCredentialsFactory>(sp => new ConfigurationServiceClientCredentialFactory(
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(ConnectorClientName),
            sp.GetRequiredService<ILogger<ConfigurationServiceClientCredentialFactory>>()));
        services.AddSingleton<BotFrameworkAuthentication>(sp => new ReusedClientsAuthentication(new ConfigurationBotFrameworkAuthentication(
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<ServiceClientCredentialsFactory>(),
            new AuthenticationConfiguration(),
            new NamedHttpClientFactory(sp.GetRequiredService<IHttpClientFactory>(), ConnectorClientName),
            sp.GetRequiredService<ILogger<ConfigurationBotFrameworkAuthentication>>()),
            sp.GetRequiredService<IHttpClientFactory>()));
        services.AddSingleton<SigningKeyRefresh>();
        services.AddSingleton<TeamsAdapter>();
        services.AddScoped<TeamsBot>();
        services.AddScoped<TeamsUsers>();
        services.AddScoped<IChannelMessenger, TeamsMessenger>();
        services.AddSingleton(sp => new ChannelStatus("Teams", () => Describe(sp)));
        return services;
    }

    /// <summary>POST /api/messages: the Bot Framework messaging endpoint. Not mapped at all when Teams is inactive.</summary>
    public static RouteGroupBuilder MapTeams(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/messages").WithTags("Teams");
        if (routes.ServiceProvider.GetRequiredService<TeamsAuth>().Mode == TeamsAuthMode.Inactive)
        {
            return group;
        }

        // The adapter authenticates (401 on a bad token, 503 while the Bot Connector's signing keys cannot be fetched),
        // reads the activity (400 on a malformed one), runs the bot and writes the response itself: 200 for messages,
        // the InvokeResponse status and body for invokes.
        group.MapPost("/", (HttpContext http, TeamsAdapter adapter, TeamsBot bot) => adapter.ProcessAsync(http, bot));
        return group;
    }

    private static string Describe(IServiceProvider services)
    {
        var credentials = BotCredentials.From(services.GetRequiredService<IConfiguration>());
        return services.GetRequiredService<TeamsAuth>().Mode switch
        {
            TeamsAuthMode.Authenticated => $"active at POST /api/messages, Bot Connector tokens required for app {credentials.AppId} ({credentials.AppType ?? BotCredentials.MultiTenant})",
            TeamsAuthMode.Anonymous => "active at POST /api/messages WITHOUT authentication (Development, no MicrosoftAppId): only for a local fake connector",
            _ => "inactive (set MicrosoftAppType=SingleTenant, MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId to turn it on)",
        };
    }

    /// <summary>The SDK asks an IHttpClientFactory for its unnamed client; hand it ours with the retry pipeline.</summary>
    private sealed class NamedHttpClientFactory(IHttpClientFactory inner, string name) : IHttpClientFactory
    {
        public HttpClient CreateClient(string _) => inner.CreateClient(name);
    }
}

/// <summary>Refuses to start with a Teams configuration that would leave authentication off or half set up.</summary>
internal sealed class TeamsStartupCheck(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<TeamsOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsOptions options)
    {
        try
        {
            Decide(BotCredentials.From(configuration), options, environment);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }

    public static TeamsAuthMode Decide(BotCredentials credentials, TeamsOptions options, IHostEnvironment environment)
    {
        var enabled = options.Enabled ?? (credentials.AnySet || environment.IsDevelopment());
        if (!enabled)
        {
            return TeamsAuthMode.Inactive;
        }

        var missing = credentials.Missing().Where(m => !m.StartsWith("MicrosoftAppType", StringComparison.Ordinal)).ToList();
        if (credentials.IsAnonymous)
        {
            if (environment.IsDevelopment())
            {
                return TeamsAuthMode.Anonymous;
            }

            throw new InvalidOperationException(
                $"Teams is enabled in the {environment.EnvironmentName} environment but {string.Join(", ", missing)} is not set. " +
                "Without MicrosoftAppId the Bot Framework SDK would accept unauthenticated requests, which is allowed only in Development. " +
                "Set MicrosoftAppType=SingleTenant, MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId (see README, \"Connect to Teams\"), or Teams:Enabled=false.");
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Teams is configured for app {credentials.AppId} ({credentials.AppType ?? BotCredentials.MultiTenant}) but {string.Join(", ", missing)} is not set.");
        }

        return TeamsAuthMode.Authenticated;
    }
}
