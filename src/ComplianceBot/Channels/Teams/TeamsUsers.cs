using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Teams;
using Microsoft.Bot.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using BotAccount = Microsoft.Bot.Schema.ChannelAccount;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// Who a Teams user is: the email/UPN from the roster for users we have not linked yet, and the MRIs ("29:…") of
/// linked people, which live in the stored conversation reference (ChannelAccount.UserId is the AAD object id).
/// </summary>
public sealed class TeamsUsers(ComplianceDbContext db, PersonDirectory directory, IMemoryCache cache, IOptions<TeamsOptions> options, TimeProvider clock, ILogger<TeamsUsers> logger)
{
    /// <summary>The email Teams vouches for, looked up only when the user is not linked to a person yet.</summary>
    public async Task<string?> EmailAsync(ITurnContext turnContext, CancellationToken cancellationToken)
    {
        var activity = turnContext.Activity;
        var user = TeamsTranslator.User(activity, null);
        var key = $"teams-roster:{user.TenantId}:{user.UserId}";
        if (cache.TryGetValue(key, out string? cached))
        {
            return cached;
        }

        // Linked users are resolved by their stored account; remember that, so a busy user costs no extra query.
        if (await db.ChannelAccounts.AnyAsync(a => a.Channel == ChannelKind.Teams && a.TenantId == user.TenantId && a.UserId == user.UserId, cancellationToken))
        {
            cache.Set(key, (string?)null, options.Value.RosterCacheDuration);
            return null;
        }

        string? email = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.RosterLookupTimeout);
        try
        {
            var member = await TeamsInfo.GetMemberAsync(turnContext, activity.From.Id, deadline.Token);
            email = member.Email is { Length: > 0 } ? member.Email : member.UserPrincipalName;
        }
        catch (ErrorResponseException ex)
        {
            // Not in the roster (guest, left) or the lookup is throttled: treat as unknown; they can still ask questions.
            logger.LogWarning("Roster lookup for {User} failed with {Status}", activity.From.Id, ex.Response?.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The connector is unreachable or slower than the turn can wait: answer this message as not linked, and do
            // not remember that, so the next message asks the roster again.
            logger.LogWarning("Roster lookup for {User} gave no answer within {Timeout} ({Error}); answered as not linked this time",
                activity.From.Id, options.Value.RosterLookupTimeout, ex.GetType().Name);
            return null;
        }

        cache.Set(key, email, options.Value.RosterCacheDuration);
        return email;
    }

    /// <summary>The MRIs of people we can address in refresh.userIds (at most 60, Teams' limit).</summary>
    public async Task<IReadOnlyList<string>> MrisAsync(IReadOnlyList<int> personIds, CancellationToken cancellationToken)
    {
        if (personIds.Count == 0)
        {
            return [];
        }

        var references = await db.ChannelAccounts.AsNoTracking()
            .Where(a => a.Channel == ChannelKind.Teams && personIds.Contains(a.PersonId) && a.ConversationReference != null)
            .Select(a => a.ConversationReference!)
            .ToListAsync(cancellationToken);
        return [.. references.Select(r => Parse(r)?.User?.Id).OfType<string>().Where(id => id.Length > 0).Distinct().Take(TeamsRenderer.MaxRefreshUsers)];
    }

    /// <summary>
    /// In a team or group chat we see the user's MRI but not their 1:1 chat. Keep the MRI (a reference without a
    /// conversation) so a later proactive message can create the 1:1 chat and user-specific views can name them.
    /// </summary>
    public Task RememberMriAsync(Activity activity, CancellationToken cancellationToken)
    {
        var user = TeamsTranslator.User(activity, null);
        var partial = PartialReference(activity, activity.From);
        return db.ChannelAccounts
            .Where(a => a.Channel == ChannelKind.Teams && a.TenantId == user.TenantId && a.UserId == user.UserId && a.ConversationReference == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ConversationReference, partial), cancellationToken);
    }

    /// <summary>When the bot is added to a team or chat, link the members we know by email, so we can reach them 1:1.</summary>
    public async Task LinkRosterAsync(ITurnContext turnContext, CancellationToken cancellationToken)
    {
        var activity = turnContext.Activity;
        string? continuation = null;
        do
        {
            var page = await TeamsInfo.GetPagedMembersAsync(turnContext, 100, continuation, cancellationToken);
            foreach (var member in page.Members)
            {
                var email = member.Email is { Length: > 0 } ? member.Email : member.UserPrincipalName;
                var user = new ChannelUser(ChannelKind.Teams, TeamsTranslator.TenantId(activity), member.AadObjectId ?? member.Id, email, member.Name);
                var turn = new Turn(user, activity.Conversation.Id) { IsDirect = false };
                if (await directory.ResolveAsync(turn, cancellationToken) is not null)
                {
                    // Tracked (the directory may have answered from its cache without loading the account).
                    var account = await db.ChannelAccounts.SingleAsync(a => a.Channel == ChannelKind.Teams && a.TenantId == user.TenantId && a.UserId == user.UserId, cancellationToken);
                    account.ConversationReference ??= PartialReference(activity, member);
                }
            }

            continuation = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(continuation));

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Linked the roster of {Conversation} at {Time}", activity.Conversation.Id, clock.GetUtcNow());
    }

    public static ConversationReference? Parse(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonConvert.DeserializeObject<ConversationReference>(json);

    /// <summary>A reference whose conversation is unknown: enough to create the 1:1 chat (bot, user MRI, serviceUrl, tenant).</summary>
    private static string PartialReference(Activity activity, BotAccount member) => JsonConvert.SerializeObject(new ConversationReference
    {
        ChannelId = activity.ChannelId,
        ServiceUrl = activity.ServiceUrl,
        Bot = activity.Recipient,
        User = new BotAccount(member.Id, member.Name, aadObjectId: member.AadObjectId),
        Conversation = new ConversationAccount(tenantId: TeamsTranslator.TenantId(activity)),
    });
}
