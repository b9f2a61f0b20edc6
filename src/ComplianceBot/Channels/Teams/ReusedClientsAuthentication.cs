using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Bot.Builder.Skills;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Bot.Schema;
using Newtonsoft.Json.Serialization;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// The SDK's authentication, unchanged, except that the clients CloudAdapter asks for on every turn are made once and
/// shared. Why: per turn CloudAdapter creates a ConnectorClient and a UserTokenClient, and each constructor builds its
/// user-agent string with fresh regular expressions, new Json.NET settings with a cold contract resolver and new default
/// headers; on the load benchmark that was about a tenth of a turn's CPU. The SDK's older BotFrameworkAdapter kept one
/// ConnectorClient per service URL the same way. The clients are thread-safe (an HttpClient plus immutable settings) and
/// the credentials inside cache and refresh their own tokens.
/// </summary>
internal sealed class ReusedClientsAuthentication(BotFrameworkAuthentication inner, IHttpClientFactory httpClients) : BotFrameworkAuthentication
{
    // Teams uses a handful of regional service URLs; the cap keeps an unauthenticated development host, where anyone can
    // name any serviceUrl, from growing the cache without bound (beyond it, clients are made per turn as the SDK does).
    private const int MaxCachedClients = 64;

    private static readonly DefaultContractResolver Contracts = new();
    private readonly ConcurrentDictionary<(string? AppId, string ServiceUrl, string? Audience), Task<ConnectorClient>> _connectors = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<UserTokenClient>>> _userTokens = new();

    public override async Task<AuthenticateRequestResult> AuthenticateRequestAsync(Activity activity, string authHeader, CancellationToken cancellationToken)
    {
        var result = await inner.AuthenticateRequestAsync(activity, authHeader, cancellationToken);
        result.ConnectorFactory = Wrap(result.ConnectorFactory, result.ClaimsIdentity);
        return result;
    }

    public override async Task<AuthenticateRequestResult> AuthenticateStreamingRequestAsync(string authHeader, string channelIdHeader, CancellationToken cancellationToken)
    {
        var result = await inner.AuthenticateStreamingRequestAsync(authHeader, channelIdHeader, cancellationToken);
        result.ConnectorFactory = Wrap(result.ConnectorFactory, result.ClaimsIdentity);
        return result;
    }

    public override ConnectorFactory CreateConnectorFactory(ClaimsIdentity claimsIdentity) => Wrap(inner.CreateConnectorFactory(claimsIdentity), claimsIdentity);

    /// <summary>Only sign-in prompts use the user-token client; we have none, so it is created on first use and kept.</summary>
    public override Task<UserTokenClient> CreateUserTokenClientAsync(ClaimsIdentity claimsIdentity, CancellationToken cancellationToken) =>
        Task.FromResult<UserTokenClient>(new SharedUserTokenClient(() => SharedUserTokenClientAsync(claimsIdentity)));

    private async Task<UserTokenClient> SharedUserTokenClientAsync(ClaimsIdentity claimsIdentity)
    {
        var key = AppId(claimsIdentity) ?? string.Empty;
        var shared = _userTokens.GetOrAdd(key, _ => new Lazy<Task<UserTokenClient>>(() => inner.CreateUserTokenClientAsync(claimsIdentity, CancellationToken.None)));
        try
        {
            return await shared.Value;
        }
        catch (Exception)
        {
            // A failed creation is not cached: the next call tries again.
            _userTokens.TryRemove(KeyValuePair.Create(key, shared));
            throw;
        }
    }

    public override BotFrameworkClient CreateBotFrameworkClient() => inner.CreateBotFrameworkClient();

    public override string GetOriginatingAudience() => inner.GetOriginatingAudience();

    public override Task<ClaimsIdentity> AuthenticateChannelRequestAsync(string authHeader, CancellationToken cancellationToken) =>
        inner.AuthenticateChannelRequestAsync(authHeader, cancellationToken);

    private ConnectorFactory Wrap(ConnectorFactory factory, ClaimsIdentity? identity) =>
        factory is null or ReusedConnectorFactory ? factory! : new ReusedConnectorFactory(this, factory, AppId(identity));

    /// <summary>The bot's own app id: the token's audience (null when unauthenticated).</summary>
    private static string? AppId(ClaimsIdentity? identity) =>
        identity?.Claims.FirstOrDefault(c => c.Type == AuthenticationConstants.AudienceClaim)?.Value;

    private async Task<ConnectorClient> CreateSharedAsync(ConnectorFactory factory, string serviceUrl, string audience, CancellationToken cancellationToken)
    {
        // The SDK's factory decides the credentials (app type, audience, login endpoint); the client around them is ours,
        // built not to dispose its HttpClient, so CloudAdapter's Dispose at the end of each turn leaves it working.
        using var template = await factory.CreateAsync(serviceUrl, audience, cancellationToken);
        var http = httpClients.CreateClient(TeamsChannel.ConnectorClientName);
        ConnectorClient.AddDefaultRequestHeaders(http);
        return Configure(new ConnectorClient(new Uri(serviceUrl), template.Credentials, http, disposeHttpClient: false));
    }

    private static ConnectorClient Configure(ConnectorClient client)
    {
        client.SerializationSettings.ContractResolver = Contracts;
        client.DeserializationSettings.ContractResolver = Contracts;
        return client;
    }

    private sealed class ReusedConnectorFactory(ReusedClientsAuthentication owner, ConnectorFactory inner, string? appId) : ConnectorFactory
    {
        public override async Task<IConnectorClient> CreateAsync(string serviceUrl, string audience, CancellationToken cancellationToken)
        {
            (string? AppId, string ServiceUrl, string? Audience) key = (appId, serviceUrl, audience);
            if (!owner._connectors.ContainsKey(key) && owner._connectors.Count >= MaxCachedClients)
            {
                var client = await inner.CreateAsync(serviceUrl, audience, cancellationToken);
                return client is ConnectorClient connector ? Configure(connector) : client;
            }

            var shared = owner._connectors.GetOrAdd(key, _ => owner.CreateSharedAsync(inner, serviceUrl, audience, CancellationToken.None));
            try
            {
                return await shared.WaitAsync(cancellationToken);
            }
            catch (Exception) when (shared.IsFaulted)
            {
                // A failed creation (credentials could not be made) is not cached: the next turn tries again.
                owner._connectors.TryRemove(KeyValuePair.Create(key, shared));
                throw;
            }
        }
    }

    /// <summary>A per-turn handle on the one real client, which is created on first use and never disposed by a turn.</summary>
    private sealed class SharedUserTokenClient(Func<Task<UserTokenClient>> shared) : UserTokenClient
    {
        public override async Task<TokenResponse> GetUserTokenAsync(string userId, string connectionName, string channelId, string magicCode, CancellationToken cancellationToken) =>
            await (await shared()).GetUserTokenAsync(userId, connectionName, channelId, magicCode, cancellationToken);

        public override async Task<SignInResource> GetSignInResourceAsync(string connectionName, Activity activity, string finalRedirect, CancellationToken cancellationToken) =>
            await (await shared()).GetSignInResourceAsync(connectionName, activity, finalRedirect, cancellationToken);

        public override async Task SignOutUserAsync(string userId, string connectionName, string channelId, CancellationToken cancellationToken) =>
            await (await shared()).SignOutUserAsync(userId, connectionName, channelId, cancellationToken);

        public override async Task<TokenStatus[]> GetTokenStatusAsync(string userId, string channelId, string includeFilter, CancellationToken cancellationToken) =>
            await (await shared()).GetTokenStatusAsync(userId, channelId, includeFilter, cancellationToken);

        public override async Task<Dictionary<string, TokenResponse>> GetAadTokensAsync(string userId, string connectionName, string[] resourceUrls, string channelId, CancellationToken cancellationToken) =>
            await (await shared()).GetAadTokensAsync(userId, connectionName, resourceUrls, channelId, cancellationToken);

        public override async Task<TokenResponse> ExchangeTokenAsync(string userId, string connectionName, string channelId, TokenExchangeRequest exchangeRequest, CancellationToken cancellationToken) =>
            await (await shared()).ExchangeTokenAsync(userId, connectionName, channelId, exchangeRequest, cancellationToken);
    }
}
