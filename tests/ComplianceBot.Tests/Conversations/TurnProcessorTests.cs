using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Conversations;

public sealed class TurnProcessorTests : IDisposable
{
    private readonly BotApplication _app = new();

    public TurnProcessorTests()
    {
        _app.ConfigureTestServices = services =>
        {
            services.AddScoped<IFlow, ExplodingFlow>();
            services.AddScoped<IFlow, WaitingFlow>();
            services.ConfigureDbContext<SqliteComplianceDbContext>((_, options) => options.AddInterceptors(new WriteRecorder()));
        };
        _ = _app.CreateClient();
    }

    public void Dispose() => _app.Dispose();

    /// <summary>Records an audit event and sets state, then fails: none of it may be saved.</summary>
    private sealed class ExplodingFlow(AuditTrail audit) : IFlow
    {
        public string Name => "boom";

        public IReadOnlyList<string> Commands => ["boom"];

        public Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
        {
            audit.Record("test", "test.half-done", "boom");
            context.SetState(Name, new WaitingFlow.Step(99));
            throw new InvalidOperationException("kaboom");
        }
    }

    /// <summary>Asks for a number, then echoes the next free text from its typed state.</summary>
    private sealed class WaitingFlow : IFlow
    {
        public sealed record Step(int Asked);

        public string Name => "wait";

        public IReadOnlyList<string> Commands => ["wait"];

        public Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
        {
            if (context.GetState<Step>(Name) is { } step)
            {
                context.ClearState();
                return Task.FromResult<IReadOnlyList<Reply>>([new Reply($"step {step.Asked}: you said {context.Arguments}")]);
            }

            context.SetState(Name, new Step(1));
            return Task.FromResult<IReadOnlyList<Reply>>([new Reply("say something")]);
        }
    }

    private async Task<TurnResult> SendAsync(ChannelUser from, string text, string conversation = "conv-1", string reference = "{\"ref\":1}")
    {
        await using var scope = _app.Scope();
        return await scope.ServiceProvider.GetRequiredService<TurnProcessor>().ProcessAsync(new Turn(from, conversation) { Text = text, ConversationReference = reference }, CancellationToken.None);
    }

    private static ChannelUser Slack(string userId, string? email) => new(ChannelKind.Slack, "T1", userId, email);

    [Fact]
    public async Task AnUnknownUserCanGetHelpButNothingElse()
    {
        var stranger = Slack("U404", "stranger@elsewhere.com");

        var help = await SendAsync(stranger, "help");
        var tasks = await SendAsync(stranger, "my tasks");

        Assert.Null(help.Person);
        Assert.Contains("I'm ComplianceBot", help.Replies[0].Text);
        Assert.Equal(TurnProcessor.UnknownUserText, tasks.Replies[0].Text);
    }

    [Fact]
    public async Task AChannelAccountIsLinkedByEmailOnceAndRecognisedWithoutItAfterwards()
    {
        var first = await SendAsync(Slack("U123", "Dana.Reyes@acme.example"), "help");
        var later = await SendAsync(Slack("U123", null), "my tasks");

        Assert.Equal("dana.reyes@acme.example", first.Person?.Email);
        Assert.Equal("dana.reyes@acme.example", later.Person?.Email);
        await using var scope = _app.Scope();
        var account = await BotApplication.Db(scope).ChannelAccounts.SingleAsync(a => a.UserId == "U123");
        Assert.Equal("conv-1", account.ConversationId);
        Assert.Equal("{\"ref\":1}", account.ConversationReference);
    }

    [Fact]
    public async Task TypedStateCarriesTheConversationIntoTheNextTurn()
    {
        var dana = Slack("U1", "dana.reyes@acme.example");

        await SendAsync(dana, "wait");
        var answer = await SendAsync(dana, "forty-two");
        var afterwards = await SendAsync(dana, "forty-three");

        Assert.Equal("step 1: you said forty-two", answer.Replies[0].Text);
        Assert.DoesNotContain("you said", afterwards.Replies[0].Text);
    }

    [Fact]
    public async Task AFailingFlowApologisesSavesNothingAndResetsTheConversation()
    {
        var dana = Slack("U1", "dana.reyes@acme.example");
        await SendAsync(dana, "wait");

        var failed = await SendAsync(dana, "boom");
        var next = await SendAsync(dana, "hello there");

        Assert.StartsWith("Sorry, something went wrong", failed.Replies[0].Text);
        Assert.DoesNotContain("you said", next.Replies[0].Text);
        await using var scope = _app.Scope();
        Assert.False(await BotApplication.Db(scope).AuditEvents.AnyAsync(e => e.Action == "test.half-done"));
    }

    [Fact]
    public async Task FirstTurnsOfOneConversationRacingEachOtherAllGetAnAnswer()
    {
        var dana = Slack("U777", "dana.reyes@acme.example");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(dana, "help", "conv-race")));

        Assert.All(results, r => Assert.StartsWith("Hi Dana!", r.Replies[0].Text));
        await using var scope = _app.Scope();
        Assert.Equal(1, await BotApplication.Db(scope).ConversationStates.CountAsync(s => s.ConversationId == "conv-race"));
        Assert.Equal(1, await BotApplication.Db(scope).ChannelAccounts.CountAsync(a => a.UserId == "U777"));
    }

    [Fact]
    public async Task ARepeatedReadOnlyTurnWritesNothingToTheDatabase()
    {
        var dana = Slack("U5", "dana.reyes@acme.example");
        await SendAsync(dana, "help");
        await SendAsync(dana, "help");
        _app.Clock.Advance(TimeSpan.FromHours(1));

        TurnResult? again = null;
        var writes = await WriteRecorder.Record(async () => again = await SendAsync(dana, "help"));

        Assert.StartsWith("Hi Dana!", again!.Replies[0].Text);
        Assert.Empty(writes);
        await using var scope = _app.Scope();
        var state = await BotApplication.Db(scope).ConversationStates.SingleAsync(s => s.UserId == "U5");
        Assert.Equal(BotApplication.DefaultNow, state.UpdatedAt);
    }

    [Fact]
    public async Task AChangingStateIsStillSavedWithItsTime()
    {
        var dana = Slack("U6", "dana.reyes@acme.example");
        await SendAsync(dana, "help");
        _app.Clock.Advance(TimeSpan.FromMinutes(5));

        var writes = await WriteRecorder.Record(() => SendAsync(dana, "wait"));

        Assert.Single(writes);
        await using var scope = _app.Scope();
        var state = await BotApplication.Db(scope).ConversationStates.SingleAsync(s => s.UserId == "U6");
        Assert.Equal("wait", state.ActiveFlow);
        Assert.Equal(BotApplication.DefaultNow.AddMinutes(5), state.UpdatedAt);
    }

    [Fact]
    public async Task AChangedConversationReferenceIsStoredEvenWhenTheAccountWasRemembered()
    {
        var dana = Slack("U8", "dana.reyes@acme.example");
        await SendAsync(dana, "help", "dm-1", "{\"ref\":\"a\"}");
        await SendAsync(dana, "help", "dm-1", "{\"ref\":\"a\"}");

        await SendAsync(dana, "help", "dm-2", "{\"ref\":\"b\"}");
        var afterMove = await StoredAccountAsync("U8");
        await SendAsync(dana, "help", "dm-2", "{\"ref\":\"c\"}");
        var afterNewReference = await StoredAccountAsync("U8");
        await SendAsync(dana, "help", "dm-1", "{\"ref\":\"a\"}");
        var afterMovingBack = await StoredAccountAsync("U8");

        Assert.Equal(("dm-2", "{\"ref\":\"b\"}"), afterMove);
        Assert.Equal(("dm-2", "{\"ref\":\"c\"}"), afterNewReference);
        Assert.Equal(("dm-1", "{\"ref\":\"a\"}"), afterMovingBack);
    }

    private async Task<(string?, string?)> StoredAccountAsync(string userId)
    {
        await using var scope = _app.Scope();
        var account = await BotApplication.Db(scope).ChannelAccounts.AsNoTracking().SingleAsync(a => a.UserId == userId);
        return (account.ConversationId, account.ConversationReference);
    }
}
