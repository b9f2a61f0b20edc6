using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Rest;

namespace ComplianceBot.Tests.Fakes;

/// <summary>
/// Outbound bot tokens from the fake's AAD token endpoint. Why not the SDK's MSAL credentials: MSAL validates the
/// authority against login.microsoftonline.com (instance discovery) and wants a well-known https authority, which a
/// test must not reach; the client-credentials request this sends is the one MSAL would send.
/// </summary>
public sealed class FakeConnectorCredentials(string botAppId, string password, string tokenUrl, IHttpClientFactory httpClients, string clientName) : ServiceClientCredentialsFactory
{
    public override Task<bool> IsValidAppIdAsync(string appId, CancellationToken cancellationToken) => Task.FromResult(appId == botAppId);

    public override Task<bool> IsAuthenticationDisabledAsync(CancellationToken cancellationToken) => Task.FromResult(false);

    public override Task<ServiceClientCredentials> CreateCredentialsAsync(string appId, string audience, string loginEndpoint, bool validateAuthority, CancellationToken cancellationToken) =>
        Task.FromResult<ServiceClientCredentials>(new ClientCredentials(this));

    private string? _token;

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        if (_token is not null)
        {
            return _token;
        }

        using var response = await httpClients.CreateClient(clientName).PostAsync(tokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = botAppId,
            ["client_secret"] = password,
            ["scope"] = "https://api.botframework.com/.default",
        }), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return _token = json.RootElement.GetProperty("access_token").GetString()!;
    }

    private sealed class ClientCredentials(FakeConnectorCredentials owner) : ServiceClientCredentials
    {
        public override async Task ProcessHttpRequestAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await owner.TokenAsync(cancellationToken));
    }
}
