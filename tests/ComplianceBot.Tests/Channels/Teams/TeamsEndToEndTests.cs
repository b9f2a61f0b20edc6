using System.Net;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Conversations;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ComplianceBot.Tests.Channels.Teams.TeamsCards;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>The whole Teams path over HTTP: /api/messages → SDK → turn processor → cards at the fake Bot Connector.</summary>
public sealed class TeamsEndToEndTests : IClassFixture<TeamsApplication>
{
    private const string DanaMri = "29:dana-mri";
    private const string DanaAad = "aad-dana";
    private readonly TeamsApplication _app;

    public TeamsEndToEndTests(TeamsApplication app)
    {
        _app = app;
        _app.AddMember(DanaMri, DanaAad, "Dana.Reyes@acme.example", "Dana Reyes");
    }

    private string ServiceUrl => _app.Connector.ServiceUrl;

    private async Task<RecordedCall> SendAsync(JsonObject activity)
    {
        var before = _app.Connector.Activities.Count;
        var response = await _app.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(_app.Connector.Activities.Skip(before));
    }

    [Fact]
    public async Task HelpMessageSendsAnAdaptiveCardReplyToTheConnector()
    {
        var call = await SendAsync(TeamsActivities.Message(ServiceUrl, "help", DanaMri, DanaAad));

        Assert.Equal("POST", call.Method);
        Assert.StartsWith("/v3/conversations/a:personal-aad-dana/activities/act-", call.Path);
        Assert.Equal(TeamsRenderer.CardContentType, (string?)call.Body!["attachments"]![0]!["contentType"]);
        var card = Card(call);
        Assert.Equal("1.5", (string?)card["version"]);
        Assert.Contains("Hi Dana!", card.ToJsonString());
        Assert.Contains(Actions(card), a => (string?)a["verb"] == "tasks.list");
    }

    [Fact]
    public async Task StatusIsAnAdaptiveCardWithDrillDownsThatAnswerInPlace()
    {
        var status = await SendAsync(TeamsActivities.Message(ServiceUrl, "status", DanaMri, DanaAad));

        var card = Card(status);
        Assert.Contains("Program status", Text(card));
        var overdue = Actions(card).Single(a => (string?)a["verb"] == global::ComplianceBot.ProgramStatus.StatusFlow.OverdueAction);
        Assert.Contains(Actions(card), a => (string?)a["verb"] == global::ComplianceBot.ProgramStatus.StatusFlow.ReviewsAction);

        var before = _app.Connector.Activities.Count;
        var response = await _app.PostAsync(TeamsActivities.CardAction(ServiceUrl, global::ComplianceBot.ProgramStatus.StatusFlow.OverdueAction, overdue["data"]!.DeepClone().AsObject(), DanaMri, DanaAad, "1:1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Overdue by owner", Text(Card(Assert.Single(_app.Connector.Activities.Skip(before)))));
    }

    [Fact]
    public async Task FirstMessageLinksThePersonByRosterEmailAndStoresTheReference()
    {
        await SendAsync(TeamsActivities.Message(ServiceUrl, "hello", DanaMri, DanaAad));

        await using var scope = _app.Scope();
        var account = await BotApplication.Db(scope).ChannelAccounts.Include(a => a.Person).SingleAsync(a => a.Channel == ChannelKind.Teams && a.UserId == DanaAad);
        Assert.Equal("dana.reyes@acme.example", account.Person!.Email);
        Assert.Equal(TeamsApplication.TenantId, account.TenantId);
        Assert.Equal("a:personal-aad-dana", account.ConversationId);
        Assert.Contains(DanaMri, account.ConversationReference);
        Assert.Contains(ServiceUrl, account.ConversationReference);
    }

    [Fact]
    public async Task ActionExecuteFromTheHelpCardAnswersTheInvokeAndPostsTheReply()
    {
        var help = await SendAsync(TeamsActivities.Message(ServiceUrl, "help", DanaMri, DanaAad));
        var ask = Actions(Card(help)).Single(a => (string?)a["verb"] == "help.ask");

        var before = _app.Connector.Activities.Count;
        var response = await _app.PostAsync(TeamsActivities.CardAction(ServiceUrl, "help.ask", ask["data"]!.DeepClone().AsObject(), DanaMri, DanaAad, "1:1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int)body["statusCode"]!);
        Assert.Equal("application/vnd.microsoft.activity.message", (string?)body["type"]);
        var reply = Assert.Single(_app.Connector.Activities.Skip(before));
        Assert.Contains("Type your question", Text(Card(reply)));
    }

    [Fact]
    public async Task DecisionReturnsTheUpdatedCardAndReplacesTheMessageForEveryone()
    {
        var card = Card(await SendAsync(TeamsActivities.Message(ServiceUrl, "probe", DanaMri, DanaAad)));
        Assert.Equal(DanaMri, (string?)card["refresh"]!["userIds"]![0]);
        Assert.Equal(ProbeFlow.View, (string?)card["refresh"]!["action"]!["verb"]);

        var before = _app.Connector.Calls.Count;
        var response = await _app.PostAsync(TeamsActivities.CardAction(ServiceUrl, ProbeFlow.Approve, [], DanaMri, DanaAad, "1:42"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int)body["statusCode"]!);
        Assert.Equal(TeamsRenderer.CardContentType, (string?)body["type"]);
        Assert.Contains("Approved by Dana Reyes", Text(body["value"]!));
        var put = Assert.Single(_app.Connector.Calls.Skip(before), c => c.Method == "PUT");
        Assert.Equal("/v3/conversations/a:personal-aad-dana/activities/1:42", put.Path);
        Assert.Contains("Approved by Dana Reyes", Text(Card(put)));
        Assert.Equal(DanaMri, (string?)Card(put)["refresh"]!["userIds"]![0]);
    }

    [Fact]
    public async Task AutomaticRefreshReturnsThatPersonsOwnViewWithoutTouchingTheSharedMessage()
    {
        await SendAsync(TeamsActivities.Message(ServiceUrl, "hi", DanaMri, DanaAad));
        var before = _app.Connector.Calls.Count;

        var response = await _app.PostAsync(TeamsActivities.CardAction(ServiceUrl, ProbeFlow.View, new JsonObject { ["request"] = "7" }, DanaMri, DanaAad, "1:42", trigger: "automatic"));

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(TeamsRenderer.CardContentType, (string?)body["type"]);
        Assert.Contains("Your own view, Dana Reyes", Text(body["value"]!));
        Assert.DoesNotContain(_app.Connector.Calls.Skip(before), c => c.Method == "PUT" || c.Path.Contains("/activities", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FormErrorsComeBackUnderTheInputAndValuesReachTheFlow()
    {
        await SendAsync(TeamsActivities.Message(ServiceUrl, "hi", DanaMri, DanaAad));

        var invalid = JsonNode.Parse(await (await _app.PostAsync(TeamsActivities.CardAction(ServiceUrl, ProbeFlow.Submit, new JsonObject { ["notes"] = "" }, DanaMri, DanaAad, "1:50"))).Content.ReadAsStringAsync())!;
        var card = invalid["value"]!;
        var input = Input(card, "notes");
        Assert.Equal("Input.Text", (string?)input["type"]);
        Assert.True((bool)input["isMultiline"]!);
        Assert.Contains(Descendants(card), n => (string?)n["id"] == "notes-error" && (string?)n["text"] == "Notes are required");

        var valid = JsonNode.Parse(await (await _app.PostAsync(TeamsActivities.CardAction(ServiceUrl, ProbeFlow.Submit, new JsonObject { ["notes"] = "Reviewed all 14 accounts" }, DanaMri, DanaAad, "1:50"))).Content.ReadAsStringAsync())!;
        Assert.Contains("Recorded: Reviewed all 14 accounts", Text(valid["value"]!));
    }

    [Fact]
    public async Task ActionSubmitFallbackFromAnOldClientIsRoutedAsTheAction()
    {
        var activity = TeamsActivities.Message(ServiceUrl, "", DanaMri, DanaAad);
        activity.Remove("text");
        activity["value"] = new JsonObject { [TeamsRenderer.SubmitActionKey] = "help.ask" };

        var reply = await SendAsync(activity);

        Assert.Contains("Type your question", Text(Card(reply)));
    }

    [Fact]
    public async Task RedeliveredMessageIsAnsweredOnce()
    {
        var activity = TeamsActivities.Message(ServiceUrl, "help", DanaMri, DanaAad);
        var before = _app.Connector.Activities.Count;

        Assert.Equal(HttpStatusCode.OK, (await _app.PostAsync(activity)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.PostAsync(activity)).StatusCode);

        Assert.Single(_app.Connector.Activities.Skip(before));
    }

    [Fact]
    public async Task UnhandledInvokeIs501Not500()
    {
        var activity = TeamsActivities.Base("invoke", ServiceUrl, DanaMri, DanaAad);
        activity["name"] = "composeExtension/query";
        activity["value"] = new JsonObject();

        var response = await _app.PostAsync(activity);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
    }

    [Fact]
    public async Task MalformedActivityIsA400()
    {
        var response = await _app.CreateClient().PostAsync("/api/messages", new StringContent("{\"type\": ", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task MentionInAChannelIsRemovedAndTheMriIsRememberedForLater()
    {
        const string mri = "29:maria-mri";
        const string aad = "aad-maria";
        _app.AddMember(mri, aad, "maria.chen@acme.example", "Maria Chen");

        var reply = await SendAsync(TeamsActivities.Message(ServiceUrl, "<at>ComplianceBot</at> help", mri, aad, "channel", "19:general@thread.tacv2;messageid=1"));

        Assert.Contains("Hi Maria!", Text(Card(reply)));
        await using var scope = _app.Scope();
        var account = await BotApplication.Db(scope).ChannelAccounts.SingleAsync(a => a.Channel == ChannelKind.Teams && a.UserId == aad);
        Assert.Null(account.ConversationId);
        Assert.Contains(mri, account.ConversationReference);
    }

    [Fact]
    public async Task AStalledRosterLookupIsAnsweredInTimeAndAskedAgainNextMessage()
    {
        const string mri = "29:stalled-mri";
        const string aad = "aad-stalled";
        await using var app = new TeamsApplication();
        app.Settings["Teams:RosterLookupTimeout"] = "00:00:01";
        app.AddMember(mri, aad, "maria.chen@acme.example", "Maria Chen");
        app.Connector.MemberLookupDelay = TimeSpan.FromSeconds(30);
        async Task<JsonObject> AskAsync()
        {
            var before = app.Connector.Activities.Count;
            Assert.Equal(HttpStatusCode.OK, (await app.PostAsync(TeamsActivities.Message(app.Connector.ServiceUrl, "my tasks", mri, aad))).StatusCode);
            return Card(Assert.Single(app.Connector.Activities.Skip(before)));
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var stalled = await AskAsync();

        // Answered (as not linked) long before Teams would give up on the turn, and the reason is in the log.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"answered after {watch.Elapsed}");
        Assert.Contains("couldn't find you in the company directory", Text(stalled));
        Assert.Contains(app.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("gave no answer", StringComparison.Ordinal));

        // Not remembered: once the connector answers, the next message finds her.
        app.Connector.MemberLookupDelay = TimeSpan.Zero;
        Assert.Contains("open task", Text(await AskAsync()));
    }

    [Fact]
    public async Task UnknownTeamsUserCanAskButNotUseTasks()
    {
        var reply = await SendAsync(TeamsActivities.Message(ServiceUrl, "my tasks", "29:stranger", "aad-stranger"));

        Assert.Contains("couldn't find you in the company directory", Text(Card(reply)));
    }

    [Fact]
    public async Task FileInPersonalChatIsDownloadedWithoutAuthAndHandedToTheEvidenceFlow()
    {
        _app.Connector.Files["evidence.csv"] = "user,access\nbob,admin\n"u8.ToArray();
        var activity = TeamsActivities.Message(ServiceUrl, "", DanaMri, DanaAad);
        activity["attachments"] = new JsonArray
        {
            new JsonObject
            {
                ["contentType"] = TeamsTranslator.FileDownloadInfo,
                ["name"] = "evidence.csv",
                ["content"] = new JsonObject { ["downloadUrl"] = $"{_app.Connector.BaseUrl}/files/evidence.csv", ["uniqueId"] = "u1", ["fileType"] = "csv" },
            },
        };

        var reply = await SendAsync(activity);

        var text = Text(Card(reply));
        Assert.Contains("I received evidence.csv (", text);
        Assert.Contains("SHA-256 d7bafe6ac415", text);
        Assert.Contains("Attach evidence", text);
        var download = Assert.Single(_app.Connector.Calls, c => c.Path == "/files/evidence.csv");
        Assert.Equal("", download.Authorization);
    }

    [Fact]
    public async Task ProactiveMessageToAPersonWithAStoredReferenceArrivesAndCanBeUpdated()
    {
        await SendAsync(TeamsActivities.Message(ServiceUrl, "hi", DanaMri, DanaAad));
        await using var scope = _app.Scope();
        var dana = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
        var messenger = scope.ServiceProvider.GetServices<IChannelMessenger>().OfType<TeamsMessenger>().Single();
        Assert.True(messenger.CanReach(dana));

        var before = _app.Connector.Calls.Count;
        var sent = await messenger.SendAsync(dana, new Reply("CC6.1 access review is due Friday") { Title = "Reminder" }, default);
        await messenger.UpdateAsync(sent, new Reply("Done, thank you") { Title = "Reminder" }, default);

        var calls = _app.Connector.Calls.Skip(before).ToList();
        Assert.Equal("/v3/conversations/a:personal-aad-dana/activities", calls[0].Path);
        Assert.Contains("CC6.1 access review is due Friday", Card(calls[0]).ToJsonString());
        Assert.Equal(new MessageRef(ChannelKind.Teams, "a:personal-aad-dana", sent.MessageId), sent);
        Assert.Equal("PUT", calls[1].Method);
        Assert.Equal($"/v3/conversations/a:personal-aad-dana/activities/{sent.MessageId}", calls[1].Path);
    }

    [Fact]
    public async Task ProactiveMessageCreatesThePersonalChatWhenWeOnlyKnowTheMri()
    {
        const string mri = "29:lee-mri";
        const string aad = "aad-lee";
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var person = await db.People.OrderBy(p => p.Id).Skip(5).FirstAsync();
        _app.AddMember(mri, aad, person.Email, person.Name);
        await SendAsync(TeamsActivities.Message(ServiceUrl, "<at>ComplianceBot</at> hi", mri, aad, "groupChat", "19:group@thread.v2"));
        var messenger = scope.ServiceProvider.GetServices<IChannelMessenger>().OfType<TeamsMessenger>().Single();

        var before = _app.Connector.Calls.Count;
        var sent = await messenger.SendAsync(person, new Reply("Your evidence is due"), default);

        var calls = _app.Connector.Calls.Skip(before).ToList();
        Assert.Equal("/v3/conversations", calls[0].Path);
        Assert.Equal(mri, (string?)calls[0].Body!["members"]![0]!["id"]);
        Assert.False((bool)calls[0].Body!["isGroup"]!);
        Assert.Equal(TeamsApplication.TenantId, (string?)calls[0].Body!["tenantId"]);
        Assert.StartsWith("a:created-", sent.ConversationId);
        Assert.Equal($"/v3/conversations/{sent.ConversationId}/activities", calls[1].Path);
        var account = await db.ChannelAccounts.AsNoTracking().SingleAsync(a => a.UserId == aad);
        Assert.Equal(sent.ConversationId, account.ConversationId);
    }

    [Fact]
    public async Task ThrottledAndFailingConnectorCallsAreRetried()
    {
        await SendAsync(TeamsActivities.Message(ServiceUrl, "hi", DanaMri, DanaAad));
        await using var scope = _app.Scope();
        var dana = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
        var messenger = scope.ServiceProvider.GetServices<IChannelMessenger>().OfType<TeamsMessenger>().Single();
        _app.Connector.FailNext(HttpStatusCode.TooManyRequests, HttpStatusCode.PreconditionFailed, HttpStatusCode.BadGateway, HttpStatusCode.GatewayTimeout);

        var before = _app.Connector.Calls.Count;
        var sent = await messenger.SendAsync(dana, new Reply("Reminder"), default);

        Assert.NotNull(sent.MessageId);
        Assert.Equal(5, _app.Connector.Calls.Skip(before).Count(c => c.Path == "/v3/conversations/a:personal-aad-dana/activities"));
    }

    [Fact]
    public async Task ForbiddenMeansBlockedSoTheReferenceIsDroppedAndNotRetried()
    {
        const string mri = "29:blocked-mri";
        const string aad = "aad-blocked";
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var person = await db.People.OrderBy(p => p.Id).Skip(7).FirstAsync();
        _app.AddMember(mri, aad, person.Email, person.Name);
        await SendAsync(TeamsActivities.Message(ServiceUrl, "hi", mri, aad));
        var messenger = scope.ServiceProvider.GetServices<IChannelMessenger>().OfType<TeamsMessenger>().Single();
        _app.Connector.FailNext(HttpStatusCode.Forbidden);

        var before = _app.Connector.Calls.Count;
        await Assert.ThrowsAsync<MessageDeliveryException>(() => messenger.SendAsync(person, new Reply("Reminder"), default));

        Assert.Single(_app.Connector.Calls.Skip(before));
        Assert.False(messenger.CanReach(person));
    }

    [Fact]
    public async Task ComplianceChannelPostGoesToTheConfiguredTeamsChannel()
    {
        await using var scope = _app.Scope();
        var messenger = scope.ServiceProvider.GetServices<IChannelMessenger>().OfType<TeamsMessenger>().Single();

        var sent = await messenger.SendToChannelAsync("#compliance", new Reply("Escalation: CC7.2 overdue"), default);
        var unknown = await messenger.SendToChannelAsync("#random", new Reply("x"), default);

        Assert.Equal("19:compliance@thread.tacv2", sent!.ConversationId);
        Assert.Contains(_app.Connector.Calls, c => c.Path == "/v3/conversations/19:compliance@thread.tacv2/activities");
        Assert.Null(unknown);
    }
}
