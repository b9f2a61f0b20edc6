using System.Text.Json;
using System.Threading.Channels;
using ComplianceBot.ChangeApprovals.Callbacks;
using ComplianceBot.Audit;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.ChangeApprovals;

/// <summary>Wakes the worker early when a change was decided, so the pipeline's callback goes out at once instead of at the next sweep.</summary>
public sealed class ChangeApprovalsSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _channel.Reader.WaitToReadAsync(cancellationToken);
        _channel.Reader.TryRead(out _);
    }
}

/// <summary>
/// One pass over changes that need something from time passing: deadlines passed and callbacks due (reminders ride the owner-loop ladder).
/// Every step is claimed in the database, so several hosts may sweep at once without doing anything twice.
/// </summary>
public sealed class ChangeApprovalsSweeper(
    ComplianceDbContext db,
    ChangeApprovalService service,
    AuditTrail audit,
    IHttpClientFactory httpClientFactory,
    CallbackSigner signer,
    IOptions<ChangeApprovalsOptions> options,
    TimeProvider clock,
    ILogger<ChangeApprovalsSweeper> logger)
{
    /// <summary>A claimed callback is not retried by another host for this long, even if the claiming host dies mid-call.</summary>
    private static readonly TimeSpan CallbackLease = TimeSpan.FromMinutes(5);

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expiring = await db.ChangeRequests.Where(c => c.Status == ChangeStatus.Pending && c.ExpiresAt <= now).Select(c => c.Id).ToListAsync(cancellationToken);
        foreach (var id in expiring)
        {
            await service.ExpireAsync(id, cancellationToken);
        }

        await SendCallbacksAsync(cancellationToken);
    }

    /// <summary>Posts the decision to each due callback URL. The claim (attempt count + lease) makes one host send it, once per attempt.</summary>
    public async Task SendCallbacksAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await db.ChangeRequests.AsNoTracking()
            .Where(c => c.CallbackState == CallbackState.Pending && c.CallbackNextAttemptAt <= now)
            .Select(c => new { c.Id, c.CallbackAttempts })
            .ToListAsync(cancellationToken);
        foreach (var candidate in due)
        {
            var attempt = candidate.CallbackAttempts + 1;
            var claimed = await db.ChangeRequests
                .Where(c => c.Id == candidate.Id && c.CallbackState == CallbackState.Pending && c.CallbackAttempts == candidate.CallbackAttempts)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.CallbackAttempts, attempt).SetProperty(c => c.CallbackNextAttemptAt, now + CallbackLease), cancellationToken);
            if (claimed == 1)
            {
                await SendCallbackAsync(candidate.Id, attempt, cancellationToken);
            }
        }
    }

    private async Task SendCallbackAsync(int changeId, int attempt, CancellationToken cancellationToken)
    {
        var change = (await service.LoadAsync(changeId, cancellationToken))!;
        string? failure;
        try
        {
            // Signed, through the client whose handler refuses private addresses and redirects (CallbackUrlPolicy).
            using var request = signer.CreateRequest(change.CallbackUrl!, JsonSerializer.SerializeToUtf8Bytes(change.AsStatus(), JsonSerializerOptions.Web));
            using var response = await httpClientFactory.CreateClient(CallbackUrlPolicy.ClientName).SendAsync(request, cancellationToken);
            failure = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            failure = ex.Message;
        }

        var now = clock.GetUtcNow();
        var gaveUp = failure is not null && attempt >= options.Value.CallbackMaxAttempts;
        var state = failure is null ? CallbackState.Delivered : gaveUp ? CallbackState.Failed : CallbackState.Pending;
        await db.ChangeRequests.Where(c => c.Id == changeId && c.CallbackAttempts == attempt)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.CallbackState, state).SetProperty(c => c.CallbackNextAttemptAt, now + TimeSpan.FromMinutes(attempt)), cancellationToken);
        if (failure is null || gaveUp)
        {
            audit.Record("system", failure is null ? "change.callback_delivered" : "change.callback_failed", change.Subject, new()
            {
                ["url"] = CallbackUrlPolicy.Redact(change.CallbackUrl),
                ["attempts"] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["error"] = failure,
            });
            await db.SaveChangesAsync(cancellationToken);
        }
        else
        {
            logger.LogWarning("Callback for change {ChangeId} to {Url} failed ({Failure}); attempt {Attempt} of {Max}", changeId, CallbackUrlPolicy.Redact(change.CallbackUrl), failure, attempt, options.Value.CallbackMaxAttempts);
        }
    }
}

/// <summary>Runs the sweeper every few minutes of (injected) time, and at once when a decision wakes it.</summary>
public sealed class ChangeApprovalsWorker(IServiceScopeFactory scopes, ChangeApprovalsSignal signal, IOptions<ChangeApprovalsOptions> options, TimeProvider clock, ILogger<ChangeApprovalsWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMinutes(Math.Max(options.Value.SweepMinutes, 0.05));
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var tick = Task.Delay(period, clock, wake.Token);
                var decided = signal.WaitAsync(wake.Token);
                await Task.WhenAny(tick, decided);
                await wake.CancelAsync();
                await Task.WhenAll(tick, decided).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ChangeApprovalsSweeper>().SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Change approvals sweep failed; trying again at the next tick");
            }
        }
    }
}
