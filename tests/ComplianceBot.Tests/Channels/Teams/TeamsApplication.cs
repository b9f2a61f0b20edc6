using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Conversations;
using ComplianceBot.Tests.Fakes;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>The host with Teams pointed at a <see cref="FakeBotConnector"/>: anonymous (Development) or with an app id and real token checks.</summary>
public class TeamsApplication : BotApplication
{
    public const string TenantId = "72f988bf-0000-4000-8000-00000000acme";
    public const string BotId = "28:bot";

    private readonly bool _ownsConnector;

    public FakeBotConnector Connector { get; }

    /// <summary>What the host logged at Warning and above.</summary>
    public LogCapture Logs { get; } = new();

    public TeamsApplication() : this(authenticated: false)
    {
    }

    /// <param name="authenticated">MicrosoftAppId set: every request needs a token minted by the fake.</param>
    /// <param name="first">Another host this one runs beside: same database file, evidence store and Bot Connector.</param>
    protected TeamsApplication(bool authenticated, TeamsApplication? first = null) : base(first?.DataDirectory)
    {
        _ownsConnector = first is null;
        Connector = first?.Connector ?? new();
        _authenticated = authenticated;
        Settings["Teams:RetryDelay"] = "00:00:00.001";
        Settings["Teams:ServiceUrl"] = Connector.ServiceUrl;
        Settings["Teams:TenantId"] = TenantId;
        Settings["Teams:Channels:compliance"] = "19:compliance@thread.tacv2";
        // The fake serves downloadUrl files from 127.0.0.1:{port}; real ones come from *.sharepoint.com.
        Settings["Teams:AdditionalFileDownloadHosts:0"] = new Uri(Connector.BaseUrl).Authority;
        if (authenticated)
        {
            Settings["MicrosoftAppType"] = "SingleTenant";
            Settings["MicrosoftAppId"] = AppId;
            Settings["MicrosoftAppPassword"] = "test-secret";
            Settings["MicrosoftAppTenantId"] = TenantId;
            Settings["ToBotFromChannelOpenIdMetadataUrl"] = Connector.OpenIdMetadataUrl;
            Settings["ToBotFromChannelTokenIssuer"] = FakeBotConnector.Issuer;
            Settings["ToBotFromEmulatorOpenIdMetadataUrl"] = Connector.OpenIdMetadataUrl;
            Settings["ToChannelFromBotOAuthScope"] = "https://api.botframework.com";
            Settings["ToChannelFromBotLoginUrl"] = $"{Connector.BaseUrl}/{TenantId}";
            Settings["OAuthUrl"] = Connector.BaseUrl;
        }

        ConfigureTestServices = services =>
        {
            services.AddHttpClient(TeamsChannel.ConnectorClientName).ConfigurePrimaryHttpMessageHandler(Connector.CreateTrustingHandler);
            services.AddHttpClient(TeamsChannel.FilesClientName).ConfigurePrimaryHttpMessageHandler(Connector.CreateTrustingHandler);
            services.AddScoped<IFlow, ProbeFlow>();
            services.AddSingleton<ILoggerProvider>(Logs);
            if (authenticated)
            {
                services.RemoveAll<ServiceClientCredentialsFactory>();
                services.AddSingleton<ServiceClientCredentialsFactory>(sp => new FakeConnectorCredentials(
                    AppId, "test-secret", $"{Connector.BaseUrl}/{TenantId}/oauth2/v2.0/token", sp.GetRequiredService<IHttpClientFactory>(), TeamsChannel.ConnectorClientName));
            }
        };
    }

    private readonly bool _authenticated;

    public static string AppId { get; } = "4f0c2a6e-1b7d-4c59-9a51-6f3a1d2b9e10";

    /// <summary>
    /// A second host on the same SQLite file and Bot Connector, as behind a load balancer: it shares the database but
    /// not this host's memory (caches, the per-host redelivery filter). Dispose it before this one.
    /// </summary>
    public TeamsApplication SecondHost() => new SecondTeamsHost(this);

    /// <summary>Adds a Teams user to the fake roster (what TeamsInfo.GetMemberAsync finds).</summary>
    public void AddMember(string mri, string aadObjectId, string email, string name) =>
        Connector.Members[mri] = new JsonObject
        {
            ["id"] = mri,
            ["name"] = name,
            ["aadObjectId"] = aadObjectId,
            ["email"] = email,
            ["userPrincipalName"] = email,
            ["tenantId"] = TenantId,
        };

    public async Task<HttpResponseMessage> PostAsync(JsonObject activity, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await CreateClient().SendAsync(request);
        if ((string?)activity["type"] == "invoke" && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            // The invoke response carries the card the clicking person sees: checked like every sent card.
            await response.Content.LoadIntoBufferAsync();
            PayloadCapture.AddTeams(JsonNode.Parse(await response.Content.ReadAsStringAsync()));
        }

        return response;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (_ownsConnector)
        {
            Connector.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private sealed class SecondTeamsHost(TeamsApplication first) : TeamsApplication(first._authenticated, first);
}

/// <summary>Teams with MicrosoftAppId set: tokens are checked against the fake's OpenID metadata and keys.</summary>
public sealed class AuthenticatedTeamsApplication() : TeamsApplication(authenticated: true);

/// <summary>Activities as Teams sends them.</summary>
public static class TeamsActivities
{
    public static JsonObject Message(string serviceUrl, string text, string fromMri, string aadObjectId, string conversationType = "personal", string? conversationId = null, string? botName = "ComplianceBot")
    {
        var activity = Base("message", serviceUrl, fromMri, aadObjectId, conversationType, conversationId);
        activity["text"] = text;
        activity["textFormat"] = "plain";
        if (conversationType != "personal" && botName is not null)
        {
            activity["entities"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "mention",
                    ["text"] = $"<at>{botName}</at>",
                    ["mentioned"] = new JsonObject { ["id"] = TeamsApplication.BotId, ["name"] = botName },
                },
            };
        }

        return activity;
    }

    public static JsonObject CardAction(string serviceUrl, string verb, JsonObject data, string fromMri, string aadObjectId, string replyToId, string trigger = "manual", string conversationType = "personal", string? conversationId = null)
    {
        var activity = Base("invoke", serviceUrl, fromMri, aadObjectId, conversationType, conversationId);
        activity["name"] = "adaptiveCard/action";
        activity["replyToId"] = replyToId;
        activity["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = data },
            ["trigger"] = trigger,
        };
        return activity;
    }

    public static JsonObject Base(string type, string serviceUrl, string fromMri, string aadObjectId, string conversationType = "personal", string? conversationId = null) => new()
    {
        ["type"] = type,
        ["id"] = $"act-{Guid.NewGuid():N}",
        ["timestamp"] = "2026-11-27T14:00:00.000Z",
        ["serviceUrl"] = serviceUrl,
        ["channelId"] = "msteams",
        ["from"] = new JsonObject { ["id"] = fromMri, ["name"] = "Someone", ["aadObjectId"] = aadObjectId },
        ["recipient"] = new JsonObject { ["id"] = TeamsApplication.BotId, ["name"] = "ComplianceBot" },
        ["conversation"] = new JsonObject
        {
            ["id"] = conversationId ?? $"a:personal-{aadObjectId}",
            ["conversationType"] = conversationType,
            ["tenantId"] = TeamsApplication.TenantId,
            ["isGroup"] = conversationType != "personal",
        },
        ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = TeamsApplication.TenantId } },
        ["locale"] = "en-US",
    };
}
