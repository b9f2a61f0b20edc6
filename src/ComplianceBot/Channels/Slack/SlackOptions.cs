namespace ComplianceBot.Channels.Slack;

/// <summary>Settings under "Slack". The channel is active only when <see cref="SigningSecret"/> and <see cref="BotToken"/> are set.</summary>
public sealed class SlackOptions
{
    /// <summary>App credentials → Signing Secret; every inbound request is verified with it.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>The bot token (xoxb-…) for the Web API.</summary>
    public string? BotToken { get; set; }

    /// <summary>An app-level token (xapp-…, scope connections:write); when set the bot also connects over Socket Mode.</summary>
    public string? AppToken { get; set; }

    /// <summary>Web API base; tests point it at a local fake.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>The channel id (C…) that SendToChannelAsync posts to, e.g. the #compliance channel.</summary>
    public string? ComplianceChannelId { get; set; }

    /// <summary>How long a host owns an inbox row it claimed before another host may take it over.</summary>
    public TimeSpan InboxLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Processed inbox rows are kept this long so Slack's retries (up to ~5 min later) are still recognised.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Run the inbox processor in this host (turn off on hosts that should only acknowledge).</summary>
    public bool ProcessInbox { get; set; } = true;

    /// <summary>Maximum attempts for an inbox event before it is parked as failed.</summary>
    public int InboxMaxAttempts { get; set; } = 5;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SigningSecret) && !string.IsNullOrWhiteSpace(BotToken);

    public bool UsesSocketMode => IsConfigured && !string.IsNullOrWhiteSpace(AppToken);

    public string Describe()
    {
        if (!IsConfigured)
        {
            var missing = new[] { (nameof(SigningSecret), SigningSecret), (nameof(BotToken), BotToken) }
                .Where(s => string.IsNullOrWhiteSpace(s.Item2)).Select(s => "Slack:" + s.Item1);
            return $"inactive (set {string.Join(", ", missing)})";
        }

        return UsesSocketMode
            ? "active at /slack/events, /slack/interactions, /slack/commands and over Socket Mode"
            : "active at /slack/events, /slack/interactions, /slack/commands (set Slack:AppToken for Socket Mode)";
    }
}
