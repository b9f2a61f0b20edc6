using ComplianceBot.Attestations;
using ComplianceBot.Controls;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

/// <summary>An access-review control's occurrence is attested by signing off its review, never through the plain form.</summary>
internal sealed class AccessReviewAttestationPolicy(ComplianceDbContext db) : ITaskAttestationPolicy
{
    public string Flow => EvidenceFlows.AccessReview;

    public async Task<Reply> RedirectAsync(ControlTask task, CancellationToken cancellationToken)
    {
        var system = task.Control?.SystemName ?? "its system";
        var review = await db.AccessReviews.AsNoTracking()
            .Where(r => r.TaskId == task.Id || (r.ControlId == task.ControlId && r.Period == task.Period))
            .OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.SystemName, r.Period, r.Status })
            .FirstOrDefaultAsync(cancellationToken);
        if (review is null)
        {
            return new Reply($"{task.ControlId} for {task.Period} is attested by signing off the {system} access review for {task.Period}, " +
                             "so the record shows every account was reviewed. That review has not been imported yet: once the compliance team imports " +
                             $"the {system} account export, you get a message with a Start button.")
            {
                Title = "Attested through the access review",
            };
        }

        return new Reply($"{task.ControlId} for {task.Period} is attested by signing off the {review.SystemName} access review for {review.Period}, " +
                         "so the record shows every account was reviewed. Open the review to finish it.")
        {
            Title = "Attested through the access review",
            Actions = [new ReplyAction(AccessReviewFlow.StartAction, "Open the access review", MyTasksFlow.Data(("review", review.Id)), ActionStyle.Primary)],
        };
    }
}
