using ComplianceBot.Conversations;
using ComplianceBot.People;
using ComplianceBot.Tests.Knowledge;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.People;

public sealed class PersonDirectoryTests : IDisposable
{
    private readonly KnowledgeCopy _knowledge = new();
    private readonly BotApplication _app = new();

    public PersonDirectoryTests()
    {
        _app.Settings["Knowledge:Path"] = _knowledge.Root;
        _ = _app.CreateClient();
    }

    public void Dispose()
    {
        _app.Dispose();
        _knowledge.Dispose();
    }

    private async Task<TurnResult> SendAsync(ChannelUser from, string text)
    {
        await using var scope = _app.Scope();
        return await scope.ServiceProvider.GetRequiredService<TurnProcessor>().ProcessAsync(new Turn(from, "dm-arjun") { Text = text }, CancellationToken.None);
    }

    [Fact]
    public async Task APersonRemovedByReimportIsNoLongerResolvedFromTheCache()
    {
        var arjun = new ChannelUser(ChannelKind.Teams, "tenant", "aad-arjun", "arjun.mehta@acme.example");
        await SendAsync(arjun, "help");
        var remembered = await SendAsync(arjun with { Email = null }, "help");
        var cache = _app.Services.GetRequiredService<PersonResolutionCache>();
        Assert.True(cache.TryGet(arjun, out _));

        var file = _knowledge.PathOf("program/people.yaml");
        var text = await File.ReadAllTextAsync(file);
        var start = text.IndexOf("  - email: arjun.mehta@acme.example", StringComparison.Ordinal);
        var end = text.IndexOf("  - email:", start + 1, StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, text.Remove(start, end - start));
        var response = await _app.CreateAdminClient().PostAsync("/api/admin/import", null);
        response.EnsureSuccessStatusCode();

        Assert.False(cache.TryGet(arjun, out _));
        var afterImport = await SendAsync(arjun with { Email = null }, "my tasks");
        Assert.Equal(PersonStatus.Active, remembered.Person?.Status);
        Assert.Equal(PersonStatus.Removed, afterImport.Person?.Status);
        Assert.Contains("no longer active", afterImport.Replies[0].Text);
    }
}
