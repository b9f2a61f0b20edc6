using ComplianceBot.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Conversations;

/// <summary>
/// A reply that truly needs several messages (a page whose rows are at the API's longest) stays one logical message:
/// an update replaces every part in place, posts only the parts it newly needs and deletes the ones it no longer needs.
/// </summary>
public sealed class MessagePartsTests : IDisposable
{
    private readonly BotApplication _app = new();
    private readonly RecordingSurface _surface = new();

    [Fact]
    public async Task AClickOnAnyPartReplacesEveryPartAndPostsNothingNew()
    {
        var head = new MessageRef(ChannelKind.Teams, "a:1", "act-1");
        await using (var scope = _app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MessageParts>().RecordAsync(head, ["act-2"], CancellationToken.None);
        }

        await using (var scope = _app.Scope())
        {
            var parts = scope.ServiceProvider.GetRequiredService<MessageParts>();
            var replaced = await parts.ReplaceAsync(head with { MessageId = "act-2" }, ["page 1 of 2", "page 2 of 2"], _surface, CancellationToken.None);

            Assert.Equal(head, replaced);
            Assert.Equal(["update act-1: page 1 of 2", "update act-2: page 2 of 2"], _surface.Calls);
            Assert.Equal((head, 1), await parts.HeadOfAsync(head with { MessageId = "act-2" }, CancellationToken.None));
        }
    }

    [Fact]
    public async Task AReplyThatShrinksToOneMessageDeletesTheLeftoverPartsAndForgetsThem()
    {
        var head = new MessageRef(ChannelKind.Slack, "D1", "1.1");
        await using var scope = _app.Scope();
        var parts = scope.ServiceProvider.GetRequiredService<MessageParts>();
        await parts.RecordAsync(head, ["1.2", "1.3"], CancellationToken.None);

        await parts.ReplaceAsync(head, ["all on one"], _surface, CancellationToken.None);
        await parts.ReplaceAsync(head, ["and again"], _surface, CancellationToken.None);

        Assert.Equal(["update 1.1: all on one", "delete 1.2", "delete 1.3", "update 1.1: and again"], _surface.Calls);
        Assert.Equal((head with { MessageId = "1.3" }, 0), await parts.HeadOfAsync(head with { MessageId = "1.3" }, CancellationToken.None));
    }

    [Fact]
    public async Task AReplyThatGrowsPostsTheNewPartsAndRemembersThemForTheNextUpdate()
    {
        var head = new MessageRef(ChannelKind.Teams, "a:1", "act-1");
        await using var scope = _app.Scope();
        var parts = scope.ServiceProvider.GetRequiredService<MessageParts>();

        await parts.ReplaceAsync(head, ["one", "two", "three"], _surface, CancellationToken.None);
        await parts.ReplaceAsync(head with { MessageId = "posted-2" }, ["uno", "dos", "tres"], _surface, CancellationToken.None);

        Assert.Equal(["update act-1: one", "post posted-1: two", "post posted-2: three", "update act-1: uno", "update posted-1: dos", "update posted-2: tres"], _surface.Calls);
    }

    public void Dispose() => _app.Dispose();

    private sealed class RecordingSurface : IMessageSurface<string>
    {
        public List<string> Calls { get; } = [];

        private int _posted;

        public Task UpdateAsync(string messageId, string message, CancellationToken cancellationToken)
        {
            Calls.Add($"update {messageId}: {message}");
            return Task.CompletedTask;
        }

        public Task<string> PostAsync(string message, CancellationToken cancellationToken)
        {
            var id = $"posted-{++_posted}";
            Calls.Add($"post {id}: {message}");
            return Task.FromResult(id);
        }

        public Task DeleteAsync(string messageId, CancellationToken cancellationToken)
        {
            Calls.Add($"delete {messageId}");
            return Task.CompletedTask;
        }
    }
}
