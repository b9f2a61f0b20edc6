using ComplianceBot.AccessReviews;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Understanding;

/// <summary>
/// A reviewer's words inside an access review: "show flagged accounts", "find pvogel", "who is in AWS-Prod-Admin" open
/// their review narrowed to those accounts; "keep all" shows the bulk keep's confirmation. The review is the one the
/// message names (by system), else the open one with the earliest due date that has accounts with them.
/// </summary>
public sealed class ReviewIntentHandler(ComplianceDbContext db, FlowLookup flows) : IIntentHandler
{
    public IReadOnlyList<string> Labels { get; } = [IntentLabels.ReviewFilter, IntentLabels.ReviewKeepAll];

    public async Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken)
    {
        var person = request.Context.Person!;
        if (await ReviewFor(person, request.Slots.System, cancellationToken) is not { } reviewId)
        {
            var named = request.Slots.System is { } system ? $" for {system}" : "";
            return [new Reply($"You have no open access review{named} with accounts to decide. Type \"access reviews\" to see yours.")];
        }

        var data = new Dictionary<string, string> { ["review"] = reviewId.ToString(System.Globalization.CultureInfo.InvariantCulture), [AccessReviewFlow.ViaTextKey] = "text" };
        if (request.Intent.Label == IntentLabels.ReviewKeepAll)
        {
            return await flows.RunAsync(AccessReviewFlow.FlowName, request.Context.AsAction(AccessReviewFlow.KeepAllAction, data), cancellationToken);
        }

        var filter = ReviewFilter.FromText(request.Text);
        if (filter.IsAll)
        {
            // Understood as a filter but none named: the flagged accounts are what a reviewer most often means.
            filter = new ReviewFilter(ReviewFilterKind.Flagged);
        }

        data[ReviewFilter.DataKey] = filter.Encode();
        return await flows.RunAsync(AccessReviewFlow.FlowName, request.Context.AsAction(AccessReviewFlow.PageAction, data), cancellationToken);
    }

    private async Task<int?> ReviewFor(Person person, string? system, CancellationToken cancellationToken)
    {
        var items = db.AccessReviewItems;
        var open = db.AccessReviews.AsNoTracking()
            .Where(r => r.Status == AccessReviewStatus.InReview && items.Any(i => i.ReviewId == r.Id && i.AssigneeId == person.Id));
        if (system is not null)
        {
            open = open.Where(r => r.SystemName == system);
        }

        return await open.OrderBy(r => r.DueDate).ThenBy(r => r.Id).Select(r => (int?)r.Id).FirstOrDefaultAsync(cancellationToken);
    }
}
