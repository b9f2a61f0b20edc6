using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.ChangeApprovals;

/// <summary>
/// Expires changes whose deadline passed (reminders ride the owner-loop ladder; cards, notices and callbacks the outbox).
/// Each expiry is guarded by the change's version token, so several hosts may sweep at once without expiring one twice.
/// </summary>
public sealed class ChangeApprovalsSweeper(ComplianceDbContext db, ChangeApprovalService service, TimeProvider clock)
{
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expiring = await db.ChangeRequests.Where(c => c.Status == ChangeStatus.Pending && c.ExpiresAt <= now).Select(c => c.Id).ToListAsync(cancellationToken);
        foreach (var id in expiring)
        {
            await service.ExpireAsync(id, cancellationToken);
        }
    }
}

/// <summary>Runs the sweeper every few minutes of (injected) time.</summary>
public sealed class ChangeApprovalsWorker(IServiceScopeFactory scopes, IOptions<ChangeApprovalsOptions> options, TimeProvider clock, ILogger<ChangeApprovalsWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMinutes(Math.Max(options.Value.SweepMinutes, 0.05));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, clock, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ChangeApprovalsSweeper>().SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Change approvals sweep failed; trying again at the next tick");
            }
        }
    }
}
