using ComplianceBot.Conversations;
using Microsoft.Extensions.Caching.Memory;

namespace ComplianceBot.People;

/// <summary>What the database held for a channel account when it was last read.</summary>
public sealed record ResolvedAccount(int PersonId, string? ConversationId, string? ConversationReference);

/// <summary>
/// Remembers, for a few seconds, which person a channel account belongs to and the conversation reference stored for
/// it, so a busy user's turns skip the account lookup and write nothing when the reference did not change.
/// Only values read from the database are remembered, never values about to be saved (a failed turn saves nothing).
/// </summary>
/// <remarks>
/// Writers of people or channel accounts outside the turn path call <see cref="Clear"/>.
/// Other hosts (scale-out) see such changes at the latest after <see cref="Lifetime"/>.
/// </remarks>
public sealed class PersonResolutionCache(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    // Part of every key: Clear() moves to a new generation, so entries of the old one are never read again (they
    // expire on their own), including ones a turn stores after reading the database before the import committed.
    private long _generation;

    /// <summary>The generation to pass to <see cref="Remember"/>; read it before reading the database.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(ChannelUser user, out ResolvedAccount account)
    {
        if (cache.TryGetValue(Key(Generation, user.Channel, user.TenantId, user.UserId), out ResolvedAccount? found) && found is not null)
        {
            account = found;
            return true;
        }

        account = null!;
        return false;
    }

    public void Remember(long generation, ChannelUser user, ResolvedAccount account) =>
        cache.Set(Key(generation, user.Channel, user.TenantId, user.UserId), account, Lifetime);

    /// <summary>Forgets one account, whose stored values are about to change.</summary>
    public void Forget(ChannelUser user) => cache.Remove(Key(Generation, user.Channel, user.TenantId, user.UserId));

    /// <summary>
    /// Forgets every resolution: after a knowledge import changed the directory, or a channel account was written
    /// outside the turn path. Both are rare, so forgetting everything keeps this simple and free of races.
    /// </summary>
    public void Clear() => Interlocked.Increment(ref _generation);

    private static (string, long, ChannelKind, string, string) Key(long generation, ChannelKind channel, string tenantId, string userId) =>
        ("person-resolution", generation, channel, tenantId, userId);
}
