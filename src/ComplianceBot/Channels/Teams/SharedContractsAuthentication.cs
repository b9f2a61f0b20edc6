using System.Security.Claims;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Bot.Builder.Skills;
using Microsoft.Bot.Schema;
using Newtonsoft.Json.Serialization;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// The SDK's authentication, unchanged, except that every ConnectorClient it creates shares one Json.NET contract
/// resolver. Why: CloudAdapter creates a ConnectorClient per turn and each one starts with a fresh
/// DefaultContractResolver, so every reply re-reflects the whole Activity model; measured on the load benchmark this
/// was most of a turn's time. The resolver caches contracts and is thread-safe, so sharing it changes no output.
/// </summary>
internal sealed class SharedContractsAuthentication(BotFrameworkAuthentication inner) : BotFrameworkAuthentication
{
    private static readonly DefaultContractResolver Contracts = new();

    public override async Task<AuthenticateRequestResult> AuthenticateRequestAsync(Activity activity, string authHeader, CancellationToken cancellationToken)
    {
        var result = await inner.AuthenticateRequestAsync(activity, authHeader, cancellationToken);
        result.ConnectorFactory = Wrap(result.ConnectorFactory);
        return result;
    }

    public override async Task<AuthenticateRequestResult> AuthenticateStreamingRequestAsync(string authHeader, string channelIdHeader, CancellationToken cancellationToken)
    {
        var result = await inner.AuthenticateStreamingRequestAsync(authHeader, channelIdHeader, cancellationToken);
        result.ConnectorFactory = Wrap(result.ConnectorFactory);
        return result;
    }

    public override ConnectorFactory CreateConnectorFactory(ClaimsIdentity claimsIdentity) => Wrap(inner.CreateConnectorFactory(claimsIdentity));

    public override Task<UserTokenClient> CreateUserTokenClientAsync(ClaimsIdentity claimsIdentity, CancellationToken cancellationToken) =>
        inner.CreateUserTokenClientAsync(claimsIdentity, cancellationToken);

    public override BotFrameworkClient CreateBotFrameworkClient() => inner.CreateBotFrameworkClient();

    public override string GetOriginatingAudience() => inner.GetOriginatingAudience();

    public override Task<ClaimsIdentity> AuthenticateChannelRequestAsync(string authHeader, CancellationToken cancellationToken) =>
        inner.AuthenticateChannelRequestAsync(authHeader, cancellationToken);

    private static ConnectorFactory Wrap(ConnectorFactory factory) => factory is null or SharedContractsFactory ? factory! : new SharedContractsFactory(factory);

    private sealed class SharedContractsFactory(ConnectorFactory inner) : ConnectorFactory
    {
        public override async Task<IConnectorClient> CreateAsync(string serviceUrl, string audience, CancellationToken cancellationToken)
        {
            var client = await inner.CreateAsync(serviceUrl, audience, cancellationToken);
            if (client is ConnectorClient connector)
            {
                connector.SerializationSettings.ContractResolver = Contracts;
                connector.DeserializationSettings.ContractResolver = Contracts;
            }

            return client;
        }
    }
}
