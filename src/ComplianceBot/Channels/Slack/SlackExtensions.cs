using ComplianceBot.Conversations;
using ComplianceBot.Operations;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ComplianceBot.Channels.Slack;

public static class SlackExtensions
{
    /// <summary>The Slack channel: options, Web API client with retries, inbox writer/processor, Socket Mode and messenger.</summary>
    public static IServiceCollection AddSlack(this IServiceCollection services)
    {
        services.AddOptions<SlackOptions>().BindConfiguration("Slack");
        services.AddSingleton(sp => new ChannelStatus("Slack", sp.GetRequiredService<IOptions<SlackOptions>>().Value.Describe));
        services.AddMemoryCache();

        services.AddHttpClient<SlackApiClient>(client => client.Timeout = TimeSpan.FromSeconds(60))
            // response_url and file URLs are capabilities: log Web API method paths only, never those.
            .AddRedactedLogging(RedactedHttpLogging.RedactSlackUrl)
            .AddResilienceHandler("slack", (pipeline, _) =>
            {
                // Retry pauses are real network waits (Slack's Retry-After is wall-clock), not business time.
                pipeline.TimeProvider = TimeProvider.System;
                // Honours Retry-After on 429 (ShouldRetryAfterHeader), retries 5xx/408/network errors with jittered
                // exponential backoff, and caps attempts so a rate-limited method cannot hold a worker forever.
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 4,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromSeconds(1),
                    MaxDelay = TimeSpan.FromSeconds(60),
                    ShouldRetryAfterHeader = true,
                });
                pipeline.AddTimeout(TimeSpan.FromSeconds(15));
            });

        services.AddSingleton<SlackSecret>();
        services.AddSingleton<SlackInstallationState>();
        services.AddSingleton<SlackReplayGuard>();
        services.AddSingleton<Outbox.Wakeup<SlackInboxProcessor>>();
        services.AddSingleton<SlackInboxWriter>();
        services.AddSingleton<SlackBackgroundWork>();
        services.AddSingleton<SlackInboxProcessor>();
        services.AddSingleton<SlackSocketMode>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackInboxWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<SlackBackgroundWork>());
        services.AddHostedService<SlackInboxProcessorHost>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackSocketMode>());

        services.AddScoped<SlackIdentity>();
        services.AddScoped<SlackResponder>();
        services.AddScoped<SlackEventHandler>();
        services.AddScoped<SlackInteractionHandler>();
        services.AddScoped<SlackCommandHandler>();
        services.AddScoped<IChannelMessenger, SlackMessenger>();
        return services;
    }

    /// <summary>Runs the inbox processor only when Slack is configured and this host is meant to process.</summary>
    private sealed class SlackInboxProcessorHost(SlackInboxProcessor processor, IOptions<SlackOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            options.Value.IsConfigured && options.Value.ProcessInbox ? processor.StartAsync(cancellationToken) : Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) =>
            options.Value.IsConfigured && options.Value.ProcessInbox ? processor.StopAsync(cancellationToken) : Task.CompletedTask;
    }
}
