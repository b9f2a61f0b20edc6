namespace ComplianceBot.Channels.Web;

public sealed class WebChatOptions
{
    /// <summary>
    /// The web chat lets the caller pick any identity, so it is on by default only in Development;
    /// elsewhere it needs WebChat:Enabled=true.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>Host names the chat answers to; empty means localhost, 127.0.0.1 and ::1 (no DNS-rebinding from other sites).</summary>
    public List<string> AllowedHosts { get; set; } = [];

    public bool IsEnabled(IHostEnvironment environment) => Enabled ?? environment.IsDevelopment();
}
