using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Knowledge;

/// <summary>Tells the compliance admins in chat when the host started on the last good import because knowledge/ has problems.</summary>
public sealed class KnowledgeProblemsNotifier(KnowledgeImportHealth health, IServiceScopeFactory scopes, ILogger<KnowledgeProblemsNotifier> logger) : BackgroundService
{
    private const int ShownProblems = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (health.Problems.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        var messenger = scope.ServiceProvider.GetRequiredService<IMessenger>();
        var admins = (await db.People.Where(p => p.Status == PersonStatus.Active).ToListAsync(stoppingToken)).Where(p => p.Has(PersonRoles.ComplianceAdmin)).ToList();
        var problems = health.Problems;
        var reply = new Reply($"I started with the knowledge files as they were at the last good import ({health.ServingImportOf:d MMM yyyy HH:mm} UTC), " +
            $"because knowledge/ now has {problems.Count} problem(s). Fix them and re-import (POST /api/admin/import).")
        {
            Title = "Knowledge files need a fix",
            Fields = [.. problems.Take(ShownProblems).Select(p => new ReplyField($"{p.File}:{p.Line}", $"{p.Problem}. Fix: {p.Fix}")),
                .. problems.Count > ShownProblems ? [new ReplyField("More", $"{problems.Count - ShownProblems} more in the startup log and /healthz")] : Array.Empty<ReplyField>()],
        };
        foreach (var admin in admins)
        {
            try
            {
                await messenger.SendAsync(admin, reply, stoppingToken);
            }
            catch (MessageDeliveryException ex)
            {
                logger.LogWarning(ex, "Could not tell {Email} about the knowledge problems", admin.Email);
            }
        }
    }
}
