using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Knowledge;

/// <summary>
/// A re-import the compliance lead can trust: the plan first (dry run), a refusal while a leaver still holds work
/// nobody takes over, and on apply the successors get the work in the same transaction, reminders follow the work,
/// and every new owner is told in chat.
/// </summary>
public sealed class ReImport(KnowledgeImporter importer, ImportPlanner planner, ComplianceDbContext db, ReminderPlanner reminders, IMessenger messenger, ILogger<ReImport> logger)
{
    public async Task<ImportPlan> RunAsync(string actor, bool dryRun, IReadOnlyDictionary<string, string> reassign, CancellationToken cancellationToken)
    {
        var snapshot = await importer.ReadAsync(cancellationToken);
        var plan = await planner.PlanAsync(snapshot, reassign, dryRun, cancellationToken);
        if (dryRun || plan.Blocked)
        {
            return plan;
        }

        var handedTasks = new List<(int TaskId, string To)>();
        var summary = await importer.ImportAsync(actor, cancellationToken, snapshot, async people =>
        {
            foreach (var leaver in plan.PeopleLeaving.Where(l => l.ReassignTo is not null))
            {
                var (from, to) = (people[leaver.Email], people[leaver.ReassignTo!]);
                var tasks = await db.ControlTasks.Where(t => t.AssigneeId == from.Id && t.Status == ControlTaskStatus.Open).ToListAsync(cancellationToken);
                tasks.ForEach(t => t.Reassign(to));
                handedTasks.AddRange(tasks.Select(t => (t.Id, to.Email)));
                foreach (var review in await db.AccessReviews.Where(r => r.ReviewerId == from.Id && r.Status == AccessReviews.AccessReviewStatus.InReview).ToListAsync(cancellationToken))
                {
                    review.HandOver(to);
                }

                foreach (var item in await db.AccessReviewItems.Where(i => i.AssigneeId == from.Id && i.Review!.Status == AccessReviews.AccessReviewStatus.InReview).ToListAsync(cancellationToken))
                {
                    if (!item.IsDecided)
                    {
                        item.HandOver(to);
                    }
                }
            }
        });

        await FollowUpAsync(plan, handedTasks, cancellationToken);
        return plan with { DryRun = false, Applied = true, Summary = summary };
    }

    /// <summary>After the commit: reminders follow moved work, leavers' unsent reminders go, new owners are told.</summary>
    private async Task FollowUpAsync(ImportPlan plan, List<(int TaskId, string To)> handedTasks, CancellationToken cancellationToken)
    {
        var movedControls = plan.OwnersMoved.Select(m => m.Control).ToList();
        var moved = await db.ControlTasks.AsNoTracking().Where(t => movedControls.Contains(t.ControlId) && t.Status == ControlTaskStatus.Open)
            .Select(t => t.Id).ToListAsync(cancellationToken);
        foreach (var taskId in moved.Concat(handedTasks.Select(h => h.TaskId)).Distinct())
        {
            await reminders.CancelPendingAsync(ReminderPlanner.TaskSubject(taskId), cancellationToken);
            await reminders.PlanTaskAsync(taskId, cancellationToken);
        }

        var leavers = plan.PeopleLeaving.Select(l => l.Email).ToList();
        foreach (var id in await db.People.Where(p => leavers.Contains(p.Email)).Select(p => p.Id).ToListAsync(cancellationToken))
        {
            await reminders.CancelPendingForRecipientAsync(id, cancellationToken);
        }

        foreach (var move in plan.OwnersMoved)
        {
            await TellAsync(move.To, new Reply($"You now own control {move.Control} (previously {move.From})." +
                (move.OpenTasks > 0 ? $" Its {move.OpenTasks} open task(s) moved to you; reminders will come to you from now on." : ""))
            {
                Title = $"New control owner: {move.Control}",
            }, cancellationToken);
        }

        foreach (var group in handedTasks.GroupBy(h => h.To))
        {
            var from = string.Join(", ", plan.PeopleLeaving.Where(l => l.ReassignTo == group.Key).Select(l => l.Email));
            await TellAsync(group.Key, new Reply($"{group.Count()} open task(s) of {from}, who left, are now yours. Type \"my tasks\" to see them.")
            {
                Title = "Work handed over to you",
            }, cancellationToken);
        }
    }

    private async Task TellAsync(string email, Reply reply, CancellationToken cancellationToken)
    {
        if (await db.People.SingleOrDefaultAsync(p => p.Email == email, cancellationToken) is not { IsActive: true } person)
        {
            return;
        }

        try
        {
            await messenger.SendAsync(person, reply, cancellationToken);
        }
        catch (MessageDeliveryException ex)
        {
            // The import stands; the reminders planned for their new work reach them when a channel does.
            logger.LogWarning(ex, "Could not tell {Email} about work from the knowledge import", email);
        }
    }
}
