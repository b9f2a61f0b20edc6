using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ComplianceBot.Tests.Channels.Web;

/// <summary>The web chat picks identities freely, so only the local page itself may drive it.</summary>
public sealed class WebChatSecurityTests(BotApplication app) : IClassFixture<BotApplication>
{
    private static readonly object Help = new { user = "dana.reyes@acme.example", text = "help" };

    [Fact]
    public async Task APostFromAnotherSiteIsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(Help) };
        request.Headers.Add("Origin", "https://evil.example");

        Assert.Equal(HttpStatusCode.Forbidden, (await app.CreateClient().SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task ACrossSiteFetchIsRefusedEvenWithoutAnOrigin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(Help) };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        Assert.Equal(HttpStatusCode.Forbidden, (await app.CreateClient().SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task AFormEncodedPostIsRefusedBecauseTheChatTakesJsonOnly()
    {
        var response = await app.CreateClient().PostAsync("/api/chat", new StringContent("{\"user\":\"dana.reyes@acme.example\",\"text\":\"help\"}", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task AnUploadFromAnotherSiteIsRefused()
    {
        using var form = new MultipartFormDataContent { { new StringContent("dana.reyes@acme.example"), "user" }, { new ByteArrayContent("a,b\n1,2\n"u8.ToArray()), "file", "x.csv" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/files") { Content = form };
        request.Headers.Add("Origin", "http://attacker.example");

        Assert.Equal(HttpStatusCode.Forbidden, (await app.CreateClient().SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task ARequestForAnotherHostNameIsRefused()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://rebind.attacker.example") });

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/chat/people")).StatusCode);
    }

    [Fact]
    public async Task TheSameOriginPageStillWorksAndEveryAnswerCarriesTheSecurityHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = JsonContent.Create(Help) };
        request.Headers.Add("Origin", "http://localhost");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        var chat = await app.CreateClient().SendAsync(request);
        var page = await app.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        foreach (var response in new[] { chat, page })
        {
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("script-src 'sha256-", csp);
        }
    }
}
