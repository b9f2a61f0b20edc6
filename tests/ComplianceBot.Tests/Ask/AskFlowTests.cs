using System.Net.Http.Json;
using System.Text.Json;

namespace ComplianceBot.Tests.Ask;

public sealed class AskFlowTests : IDisposable
{
    private readonly BotApplication _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<JsonElement> ChatAsync(object body)
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/chat", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replies")[0];
    }

    [Fact]
    public async Task ABareQuestionInTheChatIsAnsweredWithCitationsAndFollowUpButtons()
    {
        var reply = await ChatAsync(new { user = "julia.novak@acme.example", text = "what does CC8.1 require?" });

        Assert.Contains("CC8.1", reply.GetRawText());
        Assert.Equal("CC8.1", reply.GetProperty("citations")[0].GetProperty("id").GetString());
        var actions = reply.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("label").GetString()).ToList();
        Assert.Equal(["Which controls cover this?", "Who owns them?"], actions);
    }

    [Fact]
    public async Task TheAskCommandAnswersTheRestOfTheMessage()
    {
        var reply = await ChatAsync(new { user = "julia.novak@acme.example", text = "ask is the internal wiki in scope?" });

        Assert.Contains("NOT in scope", reply.GetProperty("text").GetString());
    }

    [Fact]
    public async Task TheFollowUpsListTheMappedControlsAndTheirOwners()
    {
        var controls = await ChatAsync(new { user = "julia.novak@acme.example", action = new { id = "ask.controls", data = new { criterion = "CC8.1" } } });
        var owners = await ChatAsync(new { user = "julia.novak@acme.example", action = new { id = "ask.owners", data = new { criterion = "CC8.1" } } });

        Assert.Contains("CHG-01", controls.GetRawText());
        Assert.Contains("Aisha Khan", owners.GetRawText());
        Assert.Contains("CHG-01", owners.GetRawText());
    }
}
