using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// Slack user → <see cref="ChannelUser"/> with the email Slack vouches for (users.info). A user already linked to a person
/// needs no call; others are looked up once and cached, and the turn processor stores the link on the channel account.
/// </summary>
public sealed class SlackIdentity(SlackApiClient api, ComplianceDbContext db, IMemoryCache cache, PersonResolutionCache resolutions, ILogger<SlackIdentity> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromHours(1);

    public async Task<ChannelUser> ResolveAsync(string teamId, string userId, CancellationToken cancellationToken)
    {
        // A user the directory resolved a moment ago is linked: no query needed.
        var linked = resolutions.TryGet(new ChannelUser(ChannelKind.Slack, teamId, userId), out _)
            || await db.ChannelAccounts.AsNoTracking()
                .AnyAsync(a => a.Channel == ChannelKind.Slack && a.TenantId == teamId && a.UserId == userId, cancellationToken);
        if (linked)
        {
            return new ChannelUser(ChannelKind.Slack, teamId, userId);
        }

        var key = $"slack-user:{teamId}:{userId}";
        if (!cache.TryGetValue(key, out SlackUser? user))
        {
            try
            {
                user = await api.UserInfoAsync(userId, cancellationToken);
                cache.Set(key, user, CacheFor);
            }
            catch (SlackApiException ex)
            {
                // Without users:read.email (or for a guest) we cannot vouch for an email: the person counts as unknown.
                logger.LogWarning("users.info for {UserId} failed: {Error}", userId, ex.Error);
            }
        }

        return new ChannelUser(ChannelKind.Slack, teamId, userId, user?.Email, user?.Name);
    }
}
