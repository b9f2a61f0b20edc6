using System.Collections.Concurrent;
using ComplianceBot.Data;
using ComplianceBot.Knowledge;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Digest;

/// <summary>
/// Runs on every scheduler pass: when a digest is due (see <see cref="DigestSchedule"/>) and not yet written, composes it
/// and writes it to the outbox under the key "digest:&lt;week&gt;:&lt;recipient&gt;". The key is unique, so however many
/// hosts compose it at once, one row commits and the others' saves fail and are dropped: exactly one digest per week.
/// </summary>
public sealed class DigestScheduler(
    IServiceScopeFactory scopes, IOptions<DigestOptions> options, ReminderLadder ladder, ProgramProfileHolder profile, TimeProvider clock, ILogger<DigestScheduler> logger)
    : IScheduledWork
{
    public const string OutboxTopic = "digest";

    /// <summary>
    /// Keys this host needs to do nothing more about: written (by any host) or quiet (a team with nothing to report). The
    /// sweep runs every minute all day, so without this each pass would query the outbox once per recipient.
    /// </summary>
    private readonly ConcurrentDictionary<string, bool> _settled = new(StringComparer.Ordinal);

    public static string ChannelKey(string week) => $"digest:{week}:channel";

    public static string ManagerKey(string week, int personId) => $"digest:{week}:person:{personId}";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        var now = clock.GetUtcNow();
        List<Person> managers;
        Person channelCalendar;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
            channelCalendar = await ChannelCalendarAsync(db, cancellationToken);
            managers = o.ManagerDigests
                ? await db.People.AsNoTracking().Where(p => p.Status == PersonStatus.Active && db.People.Any(r => r.ManagerId == p.Id && r.Status == PersonStatus.Active))
                    .OrderBy(p => p.Id).ToListAsync(cancellationToken)
                : [];
        }

        if (DigestSchedule.DueWeek(ladder.Calendar, channelCalendar, o.Day, o.Hour, now) is { } week)
        {
            await WriteAsync(ChannelKey(week), channelCalendar, null, cancellationToken);
        }

        foreach (var manager in managers)
        {
            if (DigestSchedule.DueWeek(ladder.Calendar, manager, o.Day, o.Hour, now) is { } managerWeek)
            {
                await WriteAsync(ManagerKey(managerWeek, manager.Id), manager, manager, cancellationToken);
            }
        }
    }

    /// <summary>The compliance channel's working time: Digest:TimeZone, else the compliance contact's or first compliance admin's own.</summary>
    public async Task<Person> ChannelCalendarAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        var configured = options.Value.TimeZone;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new Person { Email = "", Name = profile.Current.ComplianceChannel, TimeZone = configured };
        }

        var contact = EmailAddress.Normalize(profile.Current.ComplianceContact);
        var person = await db.People.AsNoTracking().Where(p => p.Status == PersonStatus.Active && p.Email == contact).FirstOrDefaultAsync(cancellationToken)
            ?? await db.People.AsNoTracking().Where(p => p.Status == PersonStatus.Active && (p.Roles & PersonRoles.ComplianceAdmin) != 0).OrderBy(p => p.Id).FirstOrDefaultAsync(cancellationToken);
        return new Person
        {
            Email = "",
            Name = profile.Current.ComplianceChannel,
            TimeZone = person?.TimeZone ?? "UTC",
            WorkStart = person?.WorkStart ?? new(9, 0),
            WorkEnd = person?.WorkEnd ?? new(17, 0),
            WorkDays = person?.WorkDays is { } days and not WorkDays.None ? days : WorkDays.Weekdays,
        };
    }

    private async Task WriteAsync(string key, Person calendar, Person? manager, CancellationToken cancellationToken)
    {
        if (_settled.ContainsKey(key))
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        // The audit trail outlives the outbox's retention: a digest delivered and cleaned up is not sent again.
        if (await db.Outbox.AnyAsync(m => m.Key == key, cancellationToken)
            || await db.AuditEvents.AnyAsync(e => e.Subject == key && e.Action == OutboxTopic + ".sent", cancellationToken))
        {
            Settle(key);
            return;
        }

        var builder = scope.ServiceProvider.GetRequiredService<DigestBuilder>();
        var built = manager is null
            ? await builder.ForChannelAsync(calendar, cancellationToken)
            : await builder.ForManagerAsync(manager, cancellationToken);
        // A manager whose team has nothing overdue, stuck or new gets no message that week.
        if (built is not ({ } digest, { } reply) || (manager is not null && digest.IsQuiet))
        {
            Settle(key);
            return;
        }

        var writer = scope.ServiceProvider.GetRequiredService<OutboxWriter>();
        if (manager is null)
        {
            writer.ToSharedChannel(profile.Current.ComplianceChannel, reply, key, OutboxTopic, key, audit: true);
        }
        else
        {
            writer.ToPerson(await db.People.SingleAsync(p => p.Id == manager.Id, cancellationToken), reply, key, OutboxTopic, key, audit: true);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Another host wrote this week's digest between our check and our save.
            logger.LogDebug(ex, "Digest {Key} was written by another host", key);
            Settle(key);
            return;
        }

        Settle(key);
        logger.LogInformation("Digest {Key} queued", key);
        await writer.DeliverAsync(cancellationToken);
    }

    private void Settle(string key)
    {
        if (_settled.Count > 10_000)
        {
            _settled.Clear(); // only a memo: old weeks' keys are never asked about again
        }

        _settled.TryAdd(key, true);
    }
}
