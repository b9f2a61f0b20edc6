using System.Globalization;
using System.Text.Json;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Web;

/// <summary>Delivers proactive messages to the web chat's inbox, so reminders and approvals work with no Slack or Teams.</summary>
public sealed class WebChannelMessenger(ComplianceDbContext db, IOptions<WebChatOptions> options, IHostEnvironment environment, TimeProvider clock) : IChannelMessenger
{
    public ChannelKind Channel => ChannelKind.Web;

    public bool CanReach(Person person) => options.Value.IsEnabled(environment);

    public async Task<MessageRef> SendAsync(Person person, Reply reply, CancellationToken cancellationToken)
    {
        var message = new WebMessage { PersonId = person.Id, ReplyJson = Serialize(reply), CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow() };
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
