namespace ComplianceBot.Channels.Web;

public sealed class WebChatOptions
{
    /// <summary>
    /// The web chat lets the caller pick any identity, so it is on by default only in Development;
    /// elsewhere it needs WebChat:Enabled=true.
    /// </summary>
    public bool? Enabled { get; set; }

    public bool IsEnabled(IHostEnvironment environment) => Enabled ?? environment.IsDevelopment();
}
