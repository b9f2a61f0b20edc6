using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Teams;
using Microsoft.Extensions.Logging;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>Requests to /api/messages that the SDK would answer with a 500 or accept too readily.</summary>
public sealed class TeamsHardeningTests : IClassFixture<AuthenticatedTeamsApplication>
{
    private readonly AuthenticatedTeamsApplication _app;

    public TeamsHardeningTests(AuthenticatedTeamsApplication app)
    {
        _app = app;
        _app.AddMember("29:dana-mri", "aad-dana", "dana.reyes@acme.example", "Dana Reyes");
    }

    private string Mint() => _app.Connector.MintToken(TeamsApplication.AppId, _app.Connector.ServiceUrl, DateTimeOffset.UtcNow);

    [Theory]
    [InlineData("Bearer a.b.c")]
    [InlineData("Bearer a.b.c.d.e")]
    [InlineData("Bearer bm90IGpzb24.e30.c2ln")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task AMalformedBearerTokenIs401WithOneWarningAndNoStackTrace(string authorization)
    {
        var before = _app.Logs.Entries.Count;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(TeamsActivities.Message(_app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana").ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await _app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var logged = _app.Logs.Entries.Skip(before).ToList();
        var warning = Assert.Single(logged);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Null(warning.Exception);
    }

    [Fact]
    public async Task AnActivityFromAnotherTenantIsRefusedEvenWithAValidToken()
    {
        var before = _app.Connector.Activities.Count;
        var activity = TeamsActivities.Message(_app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana");
        activity["conversation"]!["tenantId"] = "00000000-0000-4000-8000-0000000e71l";
        activity["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = "00000000-0000-4000-8000-0000000e71l" } };

        var response = await _app.PostAsync(activity, Mint());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, _app.Connector.Activities.Count);
    }

    [Fact]
    public async Task ATeamsActivityWithoutATenantIsRefused()
    {
        var activity = TeamsActivities.Message(_app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana");
        activity["conversation"]!.AsObject().Remove("tenantId");
        activity.Remove("channelData");

        Assert.Equal(HttpStatusCode.Forbidden, (await _app.PostAsync(activity, Mint())).StatusCode);
    }

    [Fact]
    public async Task TheConfiguredTenantIsStillAnswered()
    {
        var response = await _app.PostAsync(TeamsActivities.Message(_app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana"), Mint());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"type\":\"message\",\"type\":\"invoke\",\"serviceUrl\":\"https://smba.trafficmanager.net/teams/\"}")]
    [InlineData("{\"type\":\"message\",\"serviceUrl\":\"not a url\"}")]
    [InlineData("{\"type\":\"message\",\"serviceUrl\":42}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"type\":7}")]
    [InlineData("{\"type\":\"message\"")]
    public async Task AMalformedActivityIs400(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Mint());

        var response = await _app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AnActivityOverOneMegabyteIs413AndNothingIsSent()
    {
        var before = _app.Connector.Activities.Count;
        var activity = TeamsActivities.Message(_app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana");
        activity["text"] = "help " + new string('x', TeamsActivityGate.MaxBodyBytes);

        var response = await _app.PostAsync(activity, Mint());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, _app.Connector.Activities.Count);
    }

    [Theory]
    [InlineData("conversation", "id")]
    [InlineData("conversation", "tenantId")]
    [InlineData("from", "aadObjectId")]
    public async Task AnAbsurdlyLongIdIs400BeforeAnyBotConnectorCall(string account, string field)
    {
        // A 100 KB conversation id would become a request line no server takes; the roster lookup would retry into the invoke's deadline.
        var before = _app.Connector.Activities.Count;
        var activity = TeamsActivities.CardAction(_app.Connector.ServiceUrl, "tasks.list", new JsonObject { ["page"] = "1" }, "29:dana-mri", "aad-dana", "act-long");
        activity[account]![field] = new string('A', 100_000);

        var response = await _app.PostAsync(activity, Mint());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, _app.Connector.Activities.Count);
    }

    [Fact]
    public async Task AnIdAtTheLimitIsStillRead()
    {
        var activity = TeamsActivities.Message(_app.Connector.ServiceUrl, "help", "29:dana-mri", "aad-dana");
        activity["conversation"]!["id"] = "a:" + new string('x', TeamsActivityGate.MaxIdLength - 2);

        Assert.Equal(HttpStatusCode.OK, (await _app.PostAsync(activity, Mint())).StatusCode);
    }

    [Theory]
    [InlineData("https://contoso-my.sharepoint.com/personal/dana/_layouts/15/download.aspx?share=x", true)]
    [InlineData("https://contoso.sharepoint.com/sites/x/download.aspx", true)]
    [InlineData("http://contoso-my.sharepoint.com/personal/dana/download.aspx", false)]
    [InlineData("https://contoso-my.sharepoint.com:8443/personal/dana/download.aspx", false)]
    [InlineData("https://sharepoint.com.attacker.example/x", false)]
    [InlineData("https://169.254.169.254/latest/meta-data/", false)]
    [InlineData("https://user@contoso-my.sharepoint.com/x", false)]
    [InlineData("https://attacker.example/x", false)]
    public void FileDownloadsAreFetchedOnlyFromOneDriveAndSharePoint(string url, bool allowed)
    {
        Assert.Equal(allowed, TeamsFileDownloadPolicy.IsAllowed(new Uri(url), []));
    }
}
