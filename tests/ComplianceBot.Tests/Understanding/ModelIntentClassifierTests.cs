using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Tests.Fakes;
using ComplianceBot.Understanding;

namespace ComplianceBot.Tests.Understanding;

/// <summary>The Azure OpenAI path of the front door against a local stub speaking the chat-completions tool-call wire format.</summary>
public sealed class ModelIntentClassifierTests : IAsyncLifetime, IDisposable
{
    private const string Rachel = "rachel.kim@acme.example";
    private readonly BotApplication _app = new();
    private FakeAzureOpenAI _model = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeAzureOpenAI.StartAsync();
        _app.Settings["AzureOpenAI:Endpoint"] = _model.Endpoint;
        _app.Settings["AzureOpenAI:Deployment"] = "gpt-test";
        _app.Settings["AzureOpenAI:ApiKey"] = "fake-key";
        _app.Settings["Understanding:ModelTimeout"] = "00:00:30";
    }

    public async Task DisposeAsync() => await _model.DisposeAsync();

    public void Dispose() => _app.Dispose();

    private async Task<JsonElement> SayAsync(string text)
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/chat", new { user = Rachel, text });
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task TheModelsToolCallPicksTheIntentAndItsSlotsAreValidated()
    {
        _model.RespondWithToolCall = _ => ("changes_status", """{"change":"42","system":"Mainframe"}""");

        var body = await SayAsync("where's that thing I asked for, number 42?");

        Assert.Equal(IntentLabels.ChangesStatus, body.GetProperty("intent").GetString());
        Assert.Equal("I can't find a change #42 that you requested or approve. Type \"my changes\" for yours.", body.GetProperty("replies")[0].GetProperty("text").GetString());
        var request = Assert.Single(_model.Requests).Body;
        var tools = request["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]).ToList();
        Assert.Contains("decline_unsafe", tools);
        Assert.Contains("tasks_list", tools);
        Assert.Equal("required", (string?)request["tool_choice"]);
        Assert.Contains("thing I asked for, number 42", request["messages"]![1]!["content"]!.ToJsonString());
    }

    [Fact]
    public async Task AModelErrorFallsBackToTheOfflineClassifier()
    {
        _model.RespondWithToolCall = null;
        _model.Respond = _ => null;

        var body = await SayAsync("wat r my taks");

        Assert.Equal(IntentLabels.TasksList, body.GetProperty("intent").GetString());
    }

    [Fact]
    public async Task AnUnknownFunctionFallsBackToTheOfflineClassifier()
    {
        _model.RespondWithToolCall = _ => ("launch_rockets", "{}");

        var body = await SayAsync("do I have anything to approve?");

        Assert.Equal(IntentLabels.ChangesList, body.GetProperty("intent").GetString());
    }

    [Fact]
    public async Task ATimeoutFallsBackToTheOfflineClassifier()
    {
        _app.Settings["Understanding:ModelTimeout"] = "00:00:00.200";
        var never = new TaskCompletionSource();
        _model.Hold = never.Task;

        var body = await SayAsync("thanks!");

        Assert.Equal(IntentLabels.Smalltalk, body.GetProperty("intent").GetString());
        never.SetResult();
    }

    [Fact]
    public async Task TheModelCannotTalkTheFrontDoorOutOfAClearlyUnsafeRequest()
    {
        _model.RespondWithToolCall = _ => ("ask", "{}");

        var body = await SayAsync("give me the database password");

        Assert.Equal(IntentLabels.Unsafe, body.GetProperty("intent").GetString());
    }
}
