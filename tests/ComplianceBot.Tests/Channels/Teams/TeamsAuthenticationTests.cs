using System.Net;
using System.Security.Claims;
using ComplianceBot.Tests.Fakes;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>
/// With MicrosoftAppId set, the SDK validates every request against the fake's OpenID metadata and keys, exactly as
/// it would against login.botframework.com. Tokens are minted on the real clock: the SDK checks lifetimes with it.
/// </summary>
public sealed class TeamsAuthenticationTests : IClassFixture<AuthenticatedTeamsApplication>
{
    private readonly AuthenticatedTeamsApplication _app;

    public TeamsAuthenticationTests(AuthenticatedTeamsApplication app)
    {
        _app = app;
        _app.AddMember("29:dana-mri", "aad-dana", "dana.reyes@acme.example", "Dana Reyes");
    }

    private Task<HttpResponseMessage> PostHelpAsync(string? token) =>
        _app.PostAsync(TeamsActivities.Message(_app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana"), token);

    private string Mint(string? audience = null, string? serviceUrl = null, TimeSpan? lifetime = null, string issuer = FakeBotConnector.Issuer, string keyId = FakeBotConnector.TeamsKeyId) =>
        _app.Connector.MintToken(audience ?? TeamsApplication.AppId, serviceUrl ?? _app.Connector.ServiceUrl, DateTimeOffset.UtcNow, lifetime, issuer, keyId);

    [Fact]
    public async Task CorrectlyMintedTokenIsAcceptedAndTheReplyCarriesTheBotsOwnToken()
    {
        var before = _app.Connector.Activities.Count;

        var response = await PostHelpAsync(Mint());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = Assert.Single(_app.Connector.Activities.Skip(before));
        Assert.Equal($"Bearer {_app.Connector.IssuedToken}", reply.Authorization);
        var tokenRequest = Assert.Single(_app.Connector.Calls, c => c.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));
        Assert.Equal($"/{TeamsApplication.TenantId}/oauth2/v2.0/token", tokenRequest.Path);
        Assert.Equal(TeamsApplication.AppId, (string?)tokenRequest.Body!["client_id"]);
    }

    [Fact]
    public async Task ConnectorClientOutlivesTheTurnThatDisposedIt()
    {
        var authentication = _app.Services.GetRequiredService<BotFrameworkAuthentication>();
        var bot = new ClaimsIdentity([new Claim(AuthenticationConstants.AudienceClaim, TeamsApplication.AppId), new Claim(AuthenticationConstants.AppIdClaim, TeamsApplication.AppId)]);
        var first = await authentication.CreateConnectorFactory(bot).CreateAsync(_app.Connector.ServiceUrl, null!, CancellationToken.None);
        first.Dispose(); // what CloudAdapter does at the end of every turn
        var second = await authentication.CreateConnectorFactory(bot).CreateAsync(_app.Connector.ServiceUrl, null!, CancellationToken.None);
        var before = _app.Connector.Activities.Count;

        await second.Conversations.SendToConversationAsync("a:personal-aad-dana", MessageFactory.Text("still connected"));

        Assert.Same(first, second);
        var sent = Assert.Single(_app.Connector.Activities.Skip(before));
        Assert.Equal($"Bearer {_app.Connector.IssuedToken}", sent.Authorization);
        Assert.Equal("still connected", (string?)sent.Body!["text"]);
    }

    [Fact]
    public async Task MissingTokenIs401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostHelpAsync(null)).StatusCode);
    }

    [Fact]
    public async Task ExpiredTokenIs401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostHelpAsync(Mint(lifetime: TimeSpan.FromMinutes(-10)))).StatusCode);
    }

    [Fact]
    public async Task TokenForAnotherBotIs401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostHelpAsync(Mint(audience: "00000000-0000-0000-0000-000000000bad"))).StatusCode);
    }

    [Fact]
    public async Task TokenIssuedForAnotherServiceUrlIs401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostHelpAsync(Mint(serviceUrl: "https://evil.example/teams/"))).StatusCode);
    }

    [Fact]
    public async Task KeyNotEndorsedForTeamsIs401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostHelpAsync(Mint(keyId: FakeBotConnector.WebChatOnlyKeyId))).StatusCode);
    }

    [Fact]
    public async Task TokenFromAnotherIssuerIs401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostHelpAsync(Mint(issuer: "https://sts.example/"))).StatusCode);
    }

    [Fact]
    public async Task TokenThatIsNotAJwtIs401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostHelpAsync("not-a-jwt")).StatusCode);
    }

    [Fact]
    public async Task TokenWithAForgedSignatureIs401()
    {
        var parts = Mint().Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(new byte[256])}";

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostHelpAsync(forged)).StatusCode);
    }

    [Fact]
    public async Task MalformedActivityWithAValidTokenIs400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new StringContent("{\"type\": ", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", Mint());

        Assert.Equal(HttpStatusCode.BadRequest, (await _app.CreateClient().SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task RefusedRequestsReachNoFlowAndSendNothing()
    {
        var before = _app.Connector.Activities.Count;

        await PostHelpAsync(Mint(audience: "someone-else"));
        await PostHelpAsync("not-a-jwt");

        Assert.Equal(before, _app.Connector.Activities.Count);
    }
}
