using System.Net;
using ComplianceBot.Channels.Teams;
using Microsoft.Extensions.Logging;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>
/// The Bot Connector's OpenID metadata or signing keys cannot be fetched: we cannot tell a good token from a bad one,
/// so /api/messages answers 503 with Retry-After (the connector retries) instead of 500, and recovers by itself.
/// Each test has its own host and fake, so the SDK's per-URL configuration cache starts cold, as after a restart.
/// </summary>
public sealed class TeamsIdentityOutageTests
{
    private static Task<HttpResponseMessage> PostHelpAsync(AuthenticatedTeamsApplication app) =>
        app.PostAsync(TeamsActivities.Message(app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana"),
            app.Connector.MintToken(TeamsApplication.AppId, app.Connector.ServiceUrl, DateTimeOffset.UtcNow));

    private static AuthenticatedTeamsApplication NewApp()
    {
        var app = new AuthenticatedTeamsApplication();
        app.AddMember("29:dana-mri", "aad-dana", "dana.reyes@acme.example", "Dana Reyes");
        return app;
    }

    private static void AssertServiceUnavailable(AuthenticatedTeamsApplication app, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 must say when to retry");
        Assert.Empty(app.Connector.Activities);
    }

    [Fact]
    public async Task MetadataAnswering503IsA503WithRetryAfterAndOneWarningNamingTheMetadataUrl()
    {
        await using var app = NewApp();
        app.Connector.MetadataFailure = HttpStatusCode.ServiceUnavailable;

        var response = await PostHelpAsync(app);

        AssertServiceUnavailable(app, response);
        var warning = Assert.Single(app.Logs.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(typeof(TeamsAdapter).FullName, warning.Category);
        Assert.Contains(app.Connector.OpenIdMetadataUrl, warning.Message);
        Assert.Null(warning.Exception);
    }

    [Fact]
    public async Task SigningKeysAnswering500IsA503()
    {
        await using var app = NewApp();
        app.Connector.SigningKeysFailure = HttpStatusCode.InternalServerError;

        AssertServiceUnavailable(app, await PostHelpAsync(app));
        Assert.Contains(app.Logs.Entries, l => l.Message.Contains(app.Connector.SigningKeysUrl, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnreachableMetadataIsA503()
    {
        await using var app = NewApp();
        app.Connector.IdentityUnreachable = true;

        AssertServiceUnavailable(app, await PostHelpAsync(app));
    }

    [Fact]
    public async Task WhenTheMetadataRecoversTheNextRequestIsFetchedAgainAndAccepted()
    {
        await using var app = NewApp();
        app.Connector.MetadataFailure = HttpStatusCode.BadGateway;
        AssertServiceUnavailable(app, await PostHelpAsync(app));
        AssertServiceUnavailable(app, await PostHelpAsync(app));
        var fetchesDuringOutage = app.Connector.IdentityFetches;

        app.Connector.MetadataFailure = null;
        var response = await PostHelpAsync(app);

        // The SDK did not remember the failure: it fetched the metadata again on the next request.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(app.Connector.IdentityFetches > fetchesDuringOutage);
        Assert.Single(app.Connector.Activities);
    }

    [Fact]
    public async Task OutageBetweenLoadingTheKeysAndTheirEndorsementsIsA503()
    {
        // A forged token makes the SDK load the OpenID configuration but fail before it asks for the key endorsements,
        // which it caches separately; the next request then fetches only the endorsements — during the outage.
        await using var app = NewApp();
        var parts = app.Connector.MintToken(TeamsApplication.AppId, app.Connector.ServiceUrl, DateTimeOffset.UtcNow).Split('.');
        var forged = await app.PostAsync(TeamsActivities.Message(app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana"), $"{parts[0]}.{parts[1]}.{parts[1]}");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        app.Connector.MetadataFailure = HttpStatusCode.ServiceUnavailable;

        AssertServiceUnavailable(app, await PostHelpAsync(app));
        Assert.Contains(app.Logs.Entries, l => l.Message.Contains("endorsements document", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMisconfiguredMetadataUrlIsAnErrorNotAnOutage()
    {
        // IdentityModel refuses a non-https metadata URL inside the same IDX20803 wrapper an outage comes in; retrying
        // would never help, so it must stay a loud 500 rather than a 503 the connector retries forever.
        await using var app = NewApp();
        app.Settings["ToBotFromChannelOpenIdMetadataUrl"] = app.Connector.OpenIdMetadataUrl.Replace("https://", "http://", StringComparison.Ordinal);

        var response = await PostHelpAsync(app);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(0, app.Connector.IdentityFetches);
    }

    [Fact]
    public async Task DuringAnOutageATokenFromAnUnknownIssuerIsStill401()
    {
        await using var app = NewApp();
        app.Connector.MetadataFailure = HttpStatusCode.ServiceUnavailable;

        var token = app.Connector.MintToken(TeamsApplication.AppId, app.Connector.ServiceUrl, DateTimeOffset.UtcNow, issuer: "https://sts.example/");
        var response = await app.PostAsync(TeamsActivities.Message(app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana"), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
