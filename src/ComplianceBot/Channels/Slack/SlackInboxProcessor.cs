using System.Text.Json;
using ComplianceBot.Audit;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// Processes stored Slack events after they were acknowledged. Rows are claimed through the database with a lease
/// (a conditional UPDATE that only one host can win), so several hosts never process the same event, and a host that
/// crashed after acknowledging leaves its rows for whoever runs next.
/// </summary>
public sealed class SlackInboxProcessor(
    IServiceScopeFactory scopes,
    Wakeup<SlackInboxProcessor> signal,
    SlackReplayGuard replays,
    IOptions<SlackOptions> options,
    TimeProvider clock,
    ILogger<SlackInboxProcessor> logger) : BackgroundService
{
    private const int ClaimSize = 256;
    private const int Parallelism = 8;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
    private DateTimeOffset _nextCleanup = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            try
            {
                handled = await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Slack inbox pass failed; retrying after the poll interval");
            }

            if (handled == 0)
            {
                await signal.WaitAsync(PollInterval, clock, stoppingToken);
            }
        }
    }

    /// <summary>Claims and processes one batch; returns how many rows it handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        await SlackInboxWriter.UseBusyTimeoutAsync(db, cancellationToken);
        var claimed = await ClaimAsync(db, cancellationToken);
        if (claimed.Count == 0)
        {
            await CleanupAsync(db, cancellationToken);
            return 0;
        }

        var skipped = new List<long>();
        var work = new List<(SlackInboxEvent Row, string Conversation)>();
        foreach (var row in claimed)
        {
            // Each row is read on its own: one that cannot be read (not JSON after all, a lone surrogate) fails alone and
            // is retried, then parked, like a row whose handler fails; the rest of the batch is answered.
            try
            {
                if (SlackEventHandler.IsWorthProcessing(row.EventType, row.Payload))
                {
                    work.Add((row, SlackEventHandler.ConversationKey(row.Payload)));
                }
                else
                {
                    skipped.Add(row.Id);
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                await MarkFailedAsync(row, ex, cancellationToken);
            }
        }

        // In order within a conversation, conversations in parallel: one slow reply (a long Retry-After) holds up only its own chat.
        await Parallel.ForEachAsync(work.GroupBy(r => r.Conversation, r => r.Row),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (conversation, ct) =>
            {
                foreach (var row in conversation)
                {
                    await ProcessAsync(row, ct);
                }
            });

        if (skipped.Count > 0)
        {
            // Events we subscribe to but need not act on (channel messages, our own posts): one UPDATE for the lot.
            var now = clock.GetUtcNow();
            await db.Set<SlackInboxEvent>().Where(e => skipped.Contains(e.Id)).ExecuteUpdateAsync(s => s.SetProperty(e => e.ProcessedAt, now), cancellationToken);
        }

        return claimed.Count;
    }

    private async Task<List<SlackInboxEvent>> ClaimAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var inbox = db.Set<SlackInboxEvent>();
        var candidates = await inbox.Where(e => e.ProcessedAt == null && e.LeaseUntil < now)
            .OrderBy(e => e.Id).Select(e => e.Id).Take(ClaimSize).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return [];
        }

        // The lease predicate is repeated in the UPDATE: if another host claimed a row in between, it no longer matches.
        var owner = Guid.NewGuid().ToString("N");
        var until = now + options.Value.InboxLease;
        await inbox.Where(e => candidates.Contains(e.Id) && e.ProcessedAt == null && e.LeaseUntil < now)
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.LeaseOwner, owner)
                .SetProperty(e => e.LeaseUntil, until)
                .SetProperty(e => e.Attempts, e => e.Attempts + 1), cancellationToken);
        // The owner is new, so the rows it holds are unprocessed and among the candidates: read by primary key, never the backlog.
        return await inbox.AsNoTracking().Where(e => candidates.Contains(e.Id) && e.LeaseOwner == owner).OrderBy(e => e.Id).ToListAsync(cancellationToken);
    }

    private async Task ProcessAsync(SlackInboxEvent row, CancellationToken cancellationToken)
    {
        try
        {
            await SlackBackgroundWork.RunInScopeAsync(scopes, (services, ct) => services.GetRequiredService<SlackEventHandler>().HandleAsync(row, ct), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await MarkFailedAsync(row, ex, cancellationToken);
            return;
        }

        await MarkAsync(row, null, done: true, cancellationToken);
    }

    /// <summary>Schedules a retry, or parks the row (processed, with its error) after the last attempt, audited for admins.</summary>
    private async Task MarkFailedAsync(SlackInboxEvent row, Exception ex, CancellationToken cancellationToken)
    {
        var error = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
        var parked = row.Attempts >= options.Value.InboxMaxAttempts;
        logger.LogWarning(ex, "Slack event {EventId} ({Type}) failed on attempt {Attempt}{Parked}",
            row.EventId, row.EventType, row.Attempts, parked ? "; parked" : "; will retry");
        await MarkAsync(row, error, parked, cancellationToken);
        if (parked)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
            scope.ServiceProvider.GetRequiredService<AuditTrail>().Record("system", "slack.event_parked", $"slack-event:{row.TeamId}/{row.EventId}", new()
            {
                ["type"] = row.EventType,
                ["attempts"] = row.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["error"] = error,
            });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private async Task MarkAsync(SlackInboxEvent row, string? error, bool done, CancellationToken cancellationToken)
    {
        await using var markScope = scopes.CreateAsyncScope();
        var db = markScope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        await SlackInboxWriter.UseBusyTimeoutAsync(db, cancellationToken);
        var now = clock.GetUtcNow();
        var owner = row.LeaseOwner;
        if (done)
        {
            await db.Set<SlackInboxEvent>().Where(e => e.Id == row.Id && e.LeaseOwner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.ProcessedAt, now).SetProperty(e => e.Error, error), cancellationToken);
        }
        else
        {
            // Retry later with a growing pause: release the lease to a time in the near future.
            var retryAt = now + TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(3, row.Attempts - 1)));
            await db.Set<SlackInboxEvent>().Where(e => e.Id == row.Id && e.LeaseOwner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseUntil, retryAt).SetProperty(e => e.Error, error), cancellationToken);
        }
    }

    private async Task CleanupAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < _nextCleanup)
        {
            return;
        }

        _nextCleanup = now + TimeSpan.FromMinutes(10);
        var before = now - options.Value.InboxRetention;
        await db.Set<SlackInboxEvent>().Where(e => e.ProcessedAt != null && e.ProcessedAt < before).ExecuteDeleteAsync(cancellationToken);
        await replays.ForgetOldAsync(db, cancellationToken);
        var formsBefore = now - TimeSpan.FromDays(30);
        await db.Set<SlackStoredForm>().Where(f => f.CreatedAt < formsBefore).ExecuteDeleteAsync(cancellationToken);
    }
}
