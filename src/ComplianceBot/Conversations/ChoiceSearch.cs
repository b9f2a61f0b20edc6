namespace ComplianceBot.Conversations;

/// <summary>
/// Options a chat picker loads as the user types, for lists too long to send with the message (Slack's static select holds
/// 100 options, a Teams card 40 KB). A flow names the dataset on <see cref="ReplyInput.Dataset"/>; channels query it.
/// </summary>
public interface IChoiceSource
{
    string Dataset { get; }

    Task<IReadOnlyList<ChoiceOption>> SearchAsync(string query, int skip, int take, CancellationToken cancellationToken);
}

/// <summary>Finds the source for a dataset; an unknown dataset answers nothing (a stale card, a forged request).</summary>
public sealed class ChoiceSearch(IEnumerable<IChoiceSource> sources)
{
    /// <summary>The most options any channel asks for at once (Slack's external select shows at most 100).</summary>
    public const int MaxResults = 100;

    public async Task<IReadOnlyList<ChoiceOption>> SearchAsync(string dataset, string? query, int skip, int take, CancellationToken cancellationToken) =>
        sources.FirstOrDefault(s => s.Dataset == dataset) is { } source
            ? await source.SearchAsync((query ?? "").Trim(), Math.Max(0, skip), Math.Clamp(take, 1, MaxResults), cancellationToken)
            : [];
}
