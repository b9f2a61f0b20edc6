using System.Net;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Tests.Fakes;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>
/// The Bot Connector rotates its signing keys: a token signed with a key published after we fetched the keys is
/// accepted at once (we fetch again), while a key nobody published stays 401 and cannot make us fetch over and over.
/// Each test has its own host and fake, so the SDK's per-URL key cache starts cold.
/// </summary>
public sealed class TeamsKeyRotationTests
{
    private static AuthenticatedTeamsApplication NewApp()
    {
        var app = new AuthenticatedTeamsApplication();
        app.AddMember("29:dana-mri", "aad-dana", "dana.reyes@acme.example", "Dana Reyes");
        return app;
    }

    private static Task<HttpResponseMessage> PostHelpAsync(AuthenticatedTeamsApplication app, string keyId) =>
        app.PostAsync(TeamsActivities.Message(app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana"),
            app.Connector.MintToken(TeamsApplication.AppId, app.Connector.ServiceUrl, DateTimeOffset.UtcNow, keyId: keyId));

    [Fact]
    public async Task TokenSignedWithANewlyPublishedKeyIsAcceptedAndAnswered()
    {
        await using var app = NewApp();
        Assert.Equal(HttpStatusCode.OK, (await PostHelpAsync(app, FakeBotConnector.TeamsKeyId)).StatusCode);
        app.Connector.RotatedKeyPublished = true;
        var before = app.Connector.Activities.Count;

        var response = await PostHelpAsync(app, FakeBotConnector.RotatedKeyId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = Assert.Single(app.Connector.Activities.Skip(before));
        Assert.Contains("Hi Dana", reply.Body!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PostHelpAsync(app, FakeBotConnector.TeamsKeyId)).StatusCode);
    }

    [Fact]
    public async Task UnknownKeysAreRefusedAndFetchTheKeysAgainAtMostOncePerInterval()
    {
        await using var app = NewApp();
        Assert.Equal(HttpStatusCode.OK, (await PostHelpAsync(app, FakeBotConnector.TeamsKeyId)).StatusCode);
        var fetchesWithKeysLoaded = app.Connector.IdentityFetches;

        var first = await PostHelpAsync(app, FakeBotConnector.RotatedKeyId);
        var fetchesAfterFirst = app.Connector.IdentityFetches;
        var second = await PostHelpAsync(app, FakeBotConnector.RotatedKeyId);
        var fetchesAfterSecond = app.Connector.IdentityFetches;
        app.Clock.Advance(SigningKeyRefresh.MinimumInterval);
        app.Connector.RotatedKeyPublished = true;
        var afterInterval = await PostHelpAsync(app, FakeBotConnector.RotatedKeyId);

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.True(fetchesAfterFirst > fetchesWithKeysLoaded, "an unknown key fetches the keys again");
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(fetchesAfterFirst, fetchesAfterSecond);
        Assert.Equal(HttpStatusCode.OK, afterInterval.StatusCode);
    }
}
