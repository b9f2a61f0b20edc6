using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Digest;

/// <summary>The digest for the compliance channel or for one manager's team, as of now in the recipient's time zone.</summary>
public sealed class DigestBuilder(ComplianceDbContext db, WeeklyDigestQuery query, IOptions<DigestOptions> options, TimeProvider clock)
{
    public async Task<(WeeklyDigest Digest, Reply Reply)> ForChannelAsync(Person calendar, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(calendar.LocalTime(now).DateTime);
        var digest = await query.RunAsync(now, today, null, cancellationToken);
        return (digest, DigestComposer.Compose(digest, today, null, options.Value.MaxListed));
    }

    /// <summary>Null when the manager has no active direct reports.</summary>
    public async Task<(WeeklyDigest Digest, Reply Reply)?> ForManagerAsync(Person manager, CancellationToken cancellationToken)
    {
        var reports = await db.People.AsNoTracking().Where(p => p.ManagerId == manager.Id && p.Status == PersonStatus.Active)
            .OrderBy(p => p.Name).Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken);
        if (reports.Count == 0)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(manager.LocalTime(now).DateTime);
        var digest = await query.RunAsync(now, today, new DigestTeam(manager.Id, [.. reports.Select(r => r.Id)]), cancellationToken);
        var names = reports.Count <= 5 ? string.Join(", ", reports.Select(r => r.Name)) : string.Join(", ", reports.Take(5).Select(r => r.Name)) + $" and {reports.Count - 5} more";
        var team = $"For your {reports.Count} direct report{(reports.Count == 1 ? "" : "s")} ({names}), as their manager in the directory.";
        return (digest, DigestComposer.Compose(digest, today, team, options.Value.MaxListed));
    }
}
