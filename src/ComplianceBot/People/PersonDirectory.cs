using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.People;

/// <summary>
/// Resolves a channel user to a person: first by the stored channel account, else by the email the channel
/// vouches for, linking the account on first sight and refreshing the proactive reference when it changes.
/// </summary>
public sealed class PersonDirectory(ComplianceDbContext db, PersonResolutionCache cache, TimeProvider clock)
{
    // The hot lookups of every turn, compiled once per provider's model.
    private static readonly CompiledPerModel<Func<ComplianceDbContext, int, CancellationToken, Task<Person?>>> PersonById = new(() =>
        EF.CompileAsyncQuery((ComplianceDbContext db, int id, CancellationToken _) => db.People.SingleOrDefault(p => p.Id == id)));

    private static readonly CompiledPerModel<Func<ComplianceDbContext, ChannelKind, string, string, CancellationToken, Task<ChannelAccount?>>> AccountOf = new(() =>
        EF.CompileAsyncQuery((ComplianceDbContext db, ChannelKind channel, string tenantId, string userId, CancellationToken _) =>
            db.ChannelAccounts.Include(a => a.Person).SingleOrDefault(a => a.Channel == channel && a.TenantId == tenantId && a.UserId == userId)));

    public async Task<Person?> ResolveAsync(Turn turn, CancellationToken cancellationToken)
    {
        var user = turn.From;
        var generation = cache.Generation;
        if (cache.TryGet(user, out var known) && (!turn.IsDirect || !ReferenceChanged(turn, known.ConversationId, known.ConversationReference)))
        {
            // The person itself is read every turn (tracked: flows may change it or hang new rows off it), so a
            // status change is seen at once; a person that no longer exists falls through to the full lookup.
            if (await PersonById.For(db)(db, known.PersonId, cancellationToken) is { } cached)
            {
                return cached;
            }
        }

        var account = await AccountOf.For(db)(db, user.Channel, user.TenantId, user.UserId, cancellationToken);
        if (account is null)
        {
            if (string.IsNullOrWhiteSpace(user.Email))
            {
                return null;
            }

            var person = await FindByEmailAsync(user.Email, cancellationToken);
            if (person is null)
            {
                return null;
            }

            account = new ChannelAccount
            {
                Person = person,
                Channel = user.Channel,
                TenantId = user.TenantId,
                UserId = user.UserId,
                LinkedAt = clock.GetUtcNow(),
            };
            db.ChannelAccounts.Add(account);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                // A concurrent first turn linked the same account a moment ago.
                db.Entry(account).State = EntityState.Detached;
                account = await db.ChannelAccounts.Include(a => a.Person)
                    .SingleAsync(a => a.Channel == user.Channel && a.TenantId == user.TenantId && a.UserId == user.UserId, cancellationToken);
            }
        }

        // Only the 1:1 conversation is worth remembering for proactive messages; refresh it whenever it changes
        // because Teams can move a conversation to another serviceUrl. The turn processor saves it with the turn.
        if (turn.IsDirect && ReferenceChanged(turn, account.ConversationId, account.ConversationReference))
        {
            account.ConversationId = turn.ConversationId;
            account.ConversationReference = turn.ConversationReference ?? account.ConversationReference;
            // The remembered values are outdated; the next turn reads the saved ones (or the old ones if this turn fails).
            cache.Forget(user);
        }
        else
        {
            // Unchanged, so this is what the database holds: the next turns can skip the account lookup.
            cache.Remember(generation, user, new ResolvedAccount(account.PersonId, account.ConversationId, account.ConversationReference));
        }

        return account.Person;
    }

    /// <summary>The person with this address, or with it minus plus-addressing (see <see cref="EmailAddress"/>).</summary>
    public async Task<Person?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = EmailAddress.Normalize(email);
        var canonical = EmailAddress.Canonical(email);
        return await db.People.SingleOrDefaultAsync(p => p.Email == normalized, cancellationToken)
            ?? (canonical == normalized ? null : await db.People.SingleOrDefaultAsync(p => p.Email == canonical, cancellationToken));
    }

    private static bool ReferenceChanged(Turn turn, string? conversationId, string? conversationReference) =>
        turn.ConversationId != conversationId || (turn.ConversationReference is { } reference && reference != conversationReference);
}
