using ComplianceBot.Conversations;

namespace ComplianceBot.Tests.Conversations;

public sealed class FlowRouterTests
{
    private sealed class StubFlow(string name, params string[] commands) : IFlow
    {
        public string Name => name;

        public IReadOnlyList<string> Commands => commands;

        public Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Reply>>([new Reply(name)]);
    }

    private sealed class FallbackFlow() : IFallbackFlow
    {
        public string Name => "ask";

        public IReadOnlyList<string> Commands => ["ask"];

        public Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Reply>>([new Reply("ask")]);
    }

    private static readonly ChannelUser User = new(ChannelKind.Web, "local", "a@b.c", "a@b.c");
    private static readonly ConversationState Idle = new() { TenantId = "local", ConversationId = "c", UserId = "a@b.c" };

    private static (IFlow Flow, string Arguments)? Route(FlowRouter router, string? text, TurnAction? action = null, ConversationState? state = null) =>
        router.Route(new Turn(User, "c") { Text = text, Action = action }, state ?? Idle);

    [Theory]
    [InlineData("tasks")]
    [InlineData("  My   Tasks! ")]
    [InlineData("/tasks")]
    public void CommandsMatchWhateverTheCaseSpacingAndPunctuation(string text)
    {
        var router = new FlowRouter([new StubFlow("help", "help"), new StubFlow("tasks", "tasks", "my tasks")]);

        Assert.Equal("tasks", Route(router, text)!.Value.Flow.Name);
    }

    [Fact]
    public void ACommandKeepsItsArgumentsInTheOriginalCase()
    {
        var router = new FlowRouter([new FallbackFlow()]);

        var (flow, arguments) = Route(router, "ask What does CC6.1 require?")!.Value;

        Assert.Equal("ask", flow.Name);
        Assert.Equal("What does CC6.1 require?", arguments);
    }

    [Fact]
    public void AnActionGoesToTheFlowNamedByItsPrefix()
    {
        var router = new FlowRouter([new StubFlow("help", "help"), new StubFlow("tasks", "tasks")]);

        Assert.Equal("tasks", Route(router, null, new TurnAction("tasks.details", new Dictionary<string, string>()))!.Value.Flow.Name);
        Assert.Null(Route(router, null, new TurnAction("gone.away", new Dictionary<string, string>())));
    }

    [Fact]
    public void FreeTextGoesToTheWaitingFlowBeforeTheFallback()
    {
        var router = new FlowRouter([new StubFlow("help", "help"), new StubFlow("attest", "attest"), new FallbackFlow()]);
        var waiting = new ConversationState { TenantId = "local", ConversationId = "c", UserId = "a@b.c", ActiveFlow = "attest" };

        Assert.Equal("attest", Route(router, "it was done late because of the holidays", state: waiting)!.Value.Flow.Name);
        Assert.Equal("help", Route(router, "help", state: waiting)!.Value.Flow.Name);
        Assert.Equal("ask", Route(router, "what is a bridge letter")!.Value.Flow.Name);
    }

    [Fact]
    public void WithoutAFallbackFlowFreeTextGetsHelp()
    {
        var router = new FlowRouter([new StubFlow("help", "help"), new StubFlow("tasks", "tasks")]);

        Assert.Equal("help", Route(router, "what is a bridge letter")!.Value.Flow.Name);
    }
}
