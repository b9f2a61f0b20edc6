using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceBot.Ask;

namespace ComplianceBot.Tests.Ask;

public sealed class AskApiTests : IDisposable
{
    private readonly BotApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AnAnswerHasTheDocumentedShapeWithCriterionIdsAsCitationIds()
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/ask", new { question = "what does cc 6.1 require?" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.False(root.GetProperty("refused").GetBoolean());
        Assert.Contains("CC6.1", root.GetProperty("answer").GetString());
        var first = root.GetProperty("citations")[0];
        Assert.Equal("CC6.1", first.GetProperty("id").GetString());
        Assert.Equal("knowledge/criteria/CC6.1.md", first.GetProperty("source").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task ARefusalHasNoCitations()
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/ask", new { question = "can you approve my PTO for next friday?" });

        var body = await response.Content.ReadFromJsonAsync<AskResponse>();
        Assert.True(body!.Refused);
        Assert.Empty(body.Citations);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("\"just a string\"")]
    [InlineData("{}")]
    [InlineData("{\"question\": \"   \"}")]
    [InlineData("{\"question\": 42}")]
    public async Task MalformedRequestsAreRefusedWith400AndAMessage(string body)
    {
        var response = await _app.CreateClient().PostAsync("/api/ask", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("question", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnOverlongQuestionIsRefusedWith400()
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/ask", new { question = new string('a', AskService.MaxQuestionLength + 1) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task WithoutTheWebChatTheApiNeedsAKey()
    {
        using var app = new BotApplication();
        app.Settings["WebChat:Enabled"] = "false";
        app.Settings["Ask:ApiKey"] = "ask-key";

        var anonymous = await app.CreateClient().PostAsJsonAsync("/api/ask", new { question = "what is CC6.1?" });
        var admin = await app.CreateAdminClient().PostAsJsonAsync("/api/ask", new { question = "what is CC6.1?" });
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "ask-key");
        var withAskKey = await client.PostAsJsonAsync("/api/ask", new { question = "what is CC6.1?" });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withAskKey.StatusCode);
    }
}
