using System.Globalization;
using System.Text.Json;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Web;

/// <summary>Delivers proactive messages to the web chat's inbox, so reminders and approvals work with no Slack or Teams.</summary>
public sealed class WebChannelMessenger(ComplianceDbContext db, IOptions<WebChatOptions> options, IHostEnvironment environment, TimeProvider clock) : IChannelMessenger
{
    public ChannelKind Channel => ChannelKind.Web;

    public bool CanReach(Person person) => options.Value.IsEnabled(environment);

    public Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken) =>
        InsertAsync(person, reply, null, cancellationToken);

    /// <summary>Exactly once per key: the unique index on <see cref="WebMessage.DeliveryKey"/> decides, even between hosts.</summary>
    public async Task<MessageRef> SendAsync(Person person, Reply reply, string deliveryKey, CancellationToken cancellationToken)
    {
        if (await FindAsync(person, deliveryKey, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        try
        {
            return await InsertAsync(person, reply, deliveryKey, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Another host inserted the same key between our lookup and insert: theirs is the message.
            foreach (var entry in db.ChangeTracker.Entries<WebMessage>().Where(e => e.State == EntityState.Added).ToList())
            {
                entry.State = EntityState.Detached;
            }

            return await FindAsync(person, deliveryKey, cancellationToken) ?? throw new MessageDeliveryException($"Web message {deliveryKey} vanished after a duplicate insert.", ex);
        }
    }

    public async Task<DeliveryLookup> FindDeliveredAsync(Person person, string deliveryKey, CancellationToken cancellationToken) =>
        await FindAsync(person, deliveryKey, cancellationToken) is { } found ? DeliveryLookup.Delivered(found) : DeliveryLookup.NotDelivered;

    private async Task<MessageRef?> FindAsync(Person person, string deliveryKey, CancellationToken cancellationToken)
    {
        var id = await db.Set<WebMessage>().AsNoTracking().Where(m => m.DeliveryKey == deliveryKey && m.PersonId == person.Id)
            .Select(m => (long?)m.Id).FirstOrDefaultAsync(cancellationToken);
        return id is { } found ? new MessageRef(ChannelKind.Web, person.Email, found.ToString(CultureInfo.InvariantCulture)) : null;
    }

    private async Task<MessageRef> InsertAsync(Person person, Reply reply, string? deliveryKey, CancellationToken cancellationToken)
    {
        var message = new WebMessage { PersonId = person.Id, ReplyJson = Serialize(reply), CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(), DeliveryKey = deliveryKey };
        db.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        return new MessageRef(ChannelKind.Web, person.Email, message.Id.ToString(CultureInfo.InvariantCulture));
    }

    public async Task UpdateAsync(MessageRef message, Reply reply, CancellationToken cancellationToken)
    {
        var stored = await db.Set<WebMessage>().FindAsync([long.Parse(message.MessageId, CultureInfo.InvariantCulture)], cancellationToken);
        if (stored is not null)
        {
            stored.ReplyJson = Serialize(reply);
            stored.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task<MessageRef?> SendToChannelAsync(string channelName, Reply reply, CancellationToken cancellationToken)
    {
        if (!options.Value.IsEnabled(environment))
        {
            return null;
        }

        var message = new WebMessage { ChannelName = channelName, ReplyJson = Serialize(reply), CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow() };
        db.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        return new MessageRef(ChannelKind.Web, channelName, message.Id.ToString(CultureInfo.InvariantCulture));
    }

    private static string Serialize(Reply reply) => JsonSerializer.Serialize(WebRenderer.Render(reply), JsonSerializerOptions.Web);
}
