using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ComplianceBot.Tests.Channels.Web;

public sealed class WebChatTests : IClassFixture<BotApplication>
{
    private readonly BotApplication _app;
    private readonly HttpClient _client;

    public WebChatTests(BotApplication app)
    {
        _app = app;
        _client = app.CreateClient();
    }

    private static async Task<JsonElement> RepliesAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.GetProperty("replies");
    }

    [Fact]
    public async Task HelpListsWhatTheBotCanDoWithButtons()
    {
        var replies = await RepliesAsync(await _client.PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", text = "help" }));

        var reply = replies[0];
        Assert.StartsWith("Hi Dana!", reply.GetProperty("text").GetString());
        var actions = reply.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.Contains("tasks.list", actions);
        Assert.Contains("help.ask", actions);
    }

    [Fact]
    public async Task MyTasksListsOpenTasksWithDueDatesAndButtons()
    {
        var replies = await RepliesAsync(await _client.PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", text = "my tasks" }));

        var reply = replies[0];
        Assert.Equal("My tasks", reply.GetProperty("title").GetString());
        var items = reply.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Contains("due", i.GetProperty("text").GetString(), StringComparison.OrdinalIgnoreCase));
        Assert.All(items, i => Assert.Contains(i.GetProperty("actions").EnumerateArray(), a => a.GetProperty("id").GetString() == "tasks.details"));
    }

    [Fact]
    public async Task TaskButtonShowsTheControlDetails()
    {
        var list = await RepliesAsync(await _client.PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", text = "tasks" }));
        var details = list[0].GetProperty("items")[0].GetProperty("actions").EnumerateArray().First(a => a.GetProperty("id").GetString() == "tasks.details");

        var replies = await RepliesAsync(await _client.PostAsJsonAsync("/api/chat", new
        {
            user = "dana.reyes@acme.example",
            action = new { id = "tasks.details", data = details.GetProperty("data") },
        }));

        var fields = replies[0].GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("label").GetString()!, f => f.GetProperty("value").GetString());
        Assert.Contains("Criteria", fields.Keys);
        Assert.Contains("Statement", fields.Keys);
    }

    [Fact]
    public async Task MalformedJsonIsA400WithAClearMessage()
    {
        var response = await _client.PostAsync("/api/chat", new StringContent("{\"user\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid JSON", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MissingUserIsA400()
    {
        var response = await _client.PostAsJsonAsync("/api/chat", new { text = "help" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is required: the email", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NeitherTextNorActionIsA400()
    {
        var response = await _client.PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task UnknownUserIsA404ThatSaysWhatToDo()
    {
        var response = await _client.PostAsJsonAsync("/api/chat", new { user = "nobody@example.com", text = "help" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("/api/chat/people", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownActionGetsAPoliteAnswerNotAnError()
    {
        var replies = await RepliesAsync(await _client.PostAsJsonAsync("/api/chat", new { user = "dana.reyes@acme.example", action = new { id = "nosuchflow.go" } }));

        Assert.Contains("help", replies[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ThePageAndThePeoplePickerAreServed()
    {
        var page = await _client.GetStringAsync("/");
        var people = await _client.GetFromJsonAsync<JsonElement>("/api/chat/people");

        Assert.Contains("Chat as", page);
        Assert.True(people.GetArrayLength() >= 12);
    }
}
