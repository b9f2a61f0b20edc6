using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Understanding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Understanding;

/// <summary>Natural messages through the web chat: each reaches what it means, and the response says what was understood.</summary>
public sealed class FrontDoorTests(BotApplication app) : IClassFixture<BotApplication>
{
    private const string Rachel = "rachel.kim@acme.example";
    private readonly HttpClient _client = app.CreateClient();

    private async Task<JsonElement> SayAsync(string user, string text)
    {
        var response = await _client.PostAsJsonAsync("/api/chat", new { user, text });
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static string Intent(JsonElement body) => body.GetProperty("intent").GetString()!;

    private static JsonElement First(JsonElement body) => body.GetProperty("replies")[0];

    private static string Text(JsonElement body) => First(body).GetProperty("text").GetString()!;

    [Fact]
    public async Task ATypoRiddenTaskQuestionListsMyTasksAndReportsTheIntent()
    {
        var body = await SayAsync(Rachel, "wat r my taks");

        Assert.Equal(IntentLabels.TasksList, Intent(body));
        Assert.InRange(body.GetProperty("confidence").GetDouble(), 0.4, 1);
        Assert.Equal("My tasks", First(body).GetProperty("title").GetString());
    }

    [Fact]
    public async Task ANaturalQuestionAboutApprovalsShowsMyApprovalQueueInTheWebChat()
    {
        var body = await SayAsync(Rachel, "do I have anything to approve?");

        Assert.Equal(IntentLabels.ChangesList, Intent(body));
        Assert.Equal("My approvals", First(body).GetProperty("title").GetString());
    }

    [Fact]
    public async Task OverdueOnlyNarrowsTheList()
    {
        var body = await SayAsync(Rachel, "anything overdue for me?");

        Assert.Equal(IntentLabels.TasksList, Intent(body));
        Assert.Contains("overdue", Text(body), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ACommandWordIsAnExemplarWithFullConfidence()
    {
        var body = await SayAsync(Rachel, "tasks");

        Assert.Equal(IntentLabels.TasksList, Intent(body));
        Assert.Equal(1, body.GetProperty("confidence").GetDouble());
    }

    [Fact]
    public async Task AttestingANamedControlOpensThatTasksForm()
    {
        var body = await SayAsync(Rachel, "I'd like to attest AC-05 now");

        Assert.Equal(IntentLabels.Attest, Intent(body));
        Assert.Contains("AC-05", First(body).GetProperty("form").GetProperty("title").GetString() + Text(body));
    }

    [Fact]
    public async Task WhoOwnsAControlIsOneExactSentenceWithTheControlCited()
    {
        var body = await SayAsync(Rachel, "who owns AC-02?");

        Assert.Equal(IntentLabels.ProgramLookup, Intent(body));
        Assert.Equal("AC-02 Quarterly user access review - AWS production account is owned by Tom Becker (tom.becker@acme.example).", Text(body));
        Assert.Equal("AC-02", First(body).GetProperty("citations")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task ALiveStateQuestionSaysWhatTheBotCannotSeeThenWhatItKnows()
    {
        var body = await SayAsync(Rachel, "is MFA currently enforced on all our Okta admin accounts?");

        Assert.Equal(IntentLabels.LiveState, Intent(body));
        var text = Text(body);
        Assert.StartsWith("I can't see the live state", text);
        Assert.Contains("AC-05 MFA enforcement, owner Rachel Kim", text);
        Assert.Equal("AC-05", First(body).GetProperty("citations")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task ThanksGetsAFriendlyLineNeverIDontKnow()
    {
        var body = await SayAsync(Rachel, "thanks!");

        Assert.Equal(IntentLabels.Smalltalk, Intent(body));
        Assert.DoesNotContain("don't know", Text(body));
    }

    [Fact]
    public async Task AnUnsafeRequestIsRefusedAndAuditedWithItsCategoryNotItsText()
    {
        var body = await SayAsync(Rachel, "what's the slack bot token?");

        Assert.Equal(IntentLabels.Unsafe, Intent(body));
        Assert.Contains("never share", Text(body));
        await using var scope = app.Scope();
        var refused = await BotApplication.Db(scope).AuditEvents.Where(e => e.Action == DeclineHandler.RefusedAuditAction && e.Actor == Rachel).ToListAsync();
        var data = Assert.Single(refused).Data;
        Assert.Contains("\"category\":\"secret\"", data);
        Assert.DoesNotContain("token", data);
    }

    [Fact]
    public async Task AskingTheBotToApproveMyOwnChangeIsRefusedNotAnsweredWithMyChangeStatus()
    {
        var body = await SayAsync("priya.nair@acme.example", "raised CR-12 myself and nobody else is online, could you just approve it for me?");

        Assert.Equal(IntentLabels.Unsafe, Intent(body));
        Assert.DoesNotContain("I'm not sure what you mean", Text(body));
    }

    [Fact]
    public async Task AnotherPersonsRecordsAreDeclined()
    {
        var body = await SayAsync(Rachel, "has hannah done her AC-04 attestation?");

        Assert.Equal(IntentLabels.Personal, Intent(body));
        Assert.Contains("Hannah's", Text(body));
    }

    [Fact]
    public async Task LowConfidenceAsksWhichWasMeantAndTheButtonDoesIt()
    {
        var body = await SayAsync(Rachel, "purple marmalade quantum");

        var reply = First(body);
        Assert.StartsWith("I'm not sure what you mean", reply.GetProperty("text").GetString());
        var choices = reply.GetProperty("actions").EnumerateArray().ToList();
        Assert.InRange(choices.Count, 3, 4);
        Assert.Equal("Something else", choices[^1].GetProperty("label").GetString());

        var tasks = new Dictionary<string, string> { ["intent"] = IntentLabels.TasksList, ["text"] = "purple marmalade quantum" };
        var response = await _client.PostAsJsonAsync("/api/chat", new { user = Rachel, action = new { id = FrontDoorFlow.ChooseAction, data = tasks } });
        var chosen = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("My tasks", First(chosen).GetProperty("title").GetString());
    }

    [Fact]
    public async Task EveryExemplarLabelHasAHandler()
    {
        await using var scope = app.Scope();
        var frontDoor = scope.ServiceProvider.GetServices<global::ComplianceBot.Conversations.IFlow>().OfType<FrontDoorFlow>().Single();
        var classifier = scope.ServiceProvider.GetRequiredService<OfflineIntentClassifier>();

        Assert.Empty(classifier.Model.Labels.Except(frontDoor.HandledLabels));
    }
}
