using System.Net;
using System.Net.Http.Json;

namespace ComplianceBot.Tests.Channels.Web;

/// <summary>The web chat lets the caller pick any identity, so outside Development it is off unless enabled explicitly.</summary>
public sealed class WebChatAvailabilityTests : IDisposable
{
    private readonly BotApplication _app = new();

    public WebChatAvailabilityTests() => _app.Settings["environment"] = "Production";

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task OutsideDevelopmentTheWebChatIsOffByDefault()
    {
        var client = _app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", text = "help" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/chat/people")).StatusCode);
    }

    [Fact]
    public async Task OutsideDevelopmentTheWebChatCanBeEnabledExplicitly()
    {
        _app.Settings["WebChat:Enabled"] = "true";
        var client = _app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", text = "help" })).StatusCode);
    }
}
