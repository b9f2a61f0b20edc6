using ComplianceBot.Attestations;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

/// <summary>An access-review control's task is attested by signing off its review, never through the plain form.</summary>
internal sealed class AccessReviewAttestationPolicy(ComplianceDbContext db) : ITaskAttestationPolicy
{
    public async Task<Reply?> RedirectAsync(ControlTask task, CancellationToken cancellationToken)
    {
        var review = await db.AccessReviews.AsNoTracking()
            .Where(r => r.TaskId == task.Id)
            .Select(r => new { r.Id, r.SystemName, r.Period, r.Status })
            .FirstOrDefaultAsync(cancellationToken);
        if (review is null)
        {
            return null;
        }

        return new Reply($"{task.ControlId} for {task.Period} is attested by signing off the {review.SystemName} access review for {review.Period}, " +
                         "so the record shows every account was reviewed. Open the review to finish it.")
        {
            Title = "Attested through the access review",
            Actions = [new ReplyAction(AccessReviewFlow.StartAction, "Open the access review", MyTasksFlow.Data(("review", review.Id)), ActionStyle.Primary)],
        };
    }
}
