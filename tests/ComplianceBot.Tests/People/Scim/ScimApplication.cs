using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ComplianceBot.Tests.People.Scim;

/// <summary>The real host with SCIM provisioning on, and a client that talks to it as an identity provider does.</summary>
public sealed class ScimApplication : BotApplication
{
    public const string Token = "scim-test-token";

    public ScimApplication()
    {
        Settings["Scim:Token"] = Token;
    }

    public HttpClient CreateScimClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return client;
    }

    public static StringContent Body(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/scim+json");
        return content;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
