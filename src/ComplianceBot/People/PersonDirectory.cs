using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.People;

/// <summary>
/// Resolves a channel user to a person: first by the stored channel account, else by the email the channel
/// vouches for, linking the account on first sight and refreshing the proactive reference on every turn.
/// </summary>
public sealed class PersonDirectory(ComplianceDbContext db, TimeProvider clock)
{
    public async Task<Person?> ResolveAsync(Turn turn, CancellationToken cancellationToken)
    {
        var user = turn.From;
        var account = await db.ChannelAccounts.Include(a => a.Person)
            .SingleOrDefaultAsync(a => a.Channel == user.Channel && a.TenantId == user.TenantId && a.UserId == user.UserId, cancellationToken);

        if (account is null)
        {
            if (string.IsNullOrWhiteSpace(user.Email))
            {
                return null;
            }

            var email = user.Email.Trim().ToLowerInvariant();
            var person = await db.People.SingleOrDefaultAsync(p => p.Email == email, cancellationToken);
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

        // Only the 1:1 conversation is worth remembering for proactive messages; refresh it on every turn
        // because Teams can move a conversation to another serviceUrl.
        if (turn.IsDirect)
        {
            account.ConversationId = turn.ConversationId;
            account.ConversationReference = turn.ConversationReference ?? account.ConversationReference;
        }

        return account.Person;
    }

    public Task<Person?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToLowerInvariant();
        return db.People.SingleOrDefaultAsync(p => p.Email == normalized, cancellationToken);
    }
}
