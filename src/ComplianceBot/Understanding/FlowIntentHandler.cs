using System.Globalization;
using ComplianceBot.AccessReviews;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Understanding;

/// <summary>Access reviews and change approvals: each intent opens the flow where the person needs it.</summary>
public sealed class FlowIntentHandler(ComplianceDbContext db, FlowLookup flows) : IIntentHandler
{
    public IReadOnlyList<string> Labels { get; } = [IntentLabels.AccessList, IntentLabels.ChangesList, IntentLabels.ChangesNew, IntentLabels.ChangesStatus];

    public async Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken)
    {
        var context = request.Context;
        return request.Intent.Label switch
        {
            IntentLabels.AccessList => await flows.RunAsync(AccessReviewFlow.FlowName, context.AsAction(AccessReviewFlow.ListAction, new Dictionary<string, string>()), cancellationToken),
            IntentLabels.ChangesList => await flows.RunAsync(ChangeApprovalFlow.FlowName, context.AsAction(ChangeApprovalFlow.ListAction, new Dictionary<string, string>()), cancellationToken),
            IntentLabels.ChangesNew => await flows.RunAsync(ChangeApprovalFlow.FlowName, context.AsAction(ChangeApprovalFlow.NewAction, new Dictionary<string, string>()), cancellationToken),
            _ => await StatusAsync(request, context.Person!, cancellationToken),
        };
    }

    /// <summary>The numbered change when the person may see it (requester, author, approver, compliance admin); else their own requests.</summary>
    private async Task<IReadOnlyList<Reply>> StatusAsync(IntentRequest request, Person person, CancellationToken cancellationToken)
    {
        if (request.Slots.Change is { } number && int.TryParse(number, CultureInfo.InvariantCulture, out var id))
        {
            var change = await db.ChangeRequests.AsNoTracking().Include(c => c.Approvers).SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
            var maySee = change is not null && (change.RequesterId == person.Id || change.AuthorId == person.Id ||
                change.Approvers.Any(a => a.PersonId == person.Id) || person.Roles.HasFlag(PersonRoles.ComplianceAdmin));
            if (!maySee)
            {
                return [new Reply($"I can't find a change #{id} that you requested or approve. Type \"my changes\" for yours.")];
            }

            return await flows.RunAsync(ChangeApprovalFlow.FlowName, request.Context.AsAction(ChangeApprovalFlow.ViewAction, new Dictionary<string, string> { [ChangeApprovalFlow.ChangeKey] = number }), cancellationToken);
        }

        var mine = await db.ChangeRequests.AsNoTracking().Where(c => c.RequesterId == person.Id || c.AuthorId == person.Id)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(10).ToListAsync(cancellationToken);
        if (mine.Count == 0)
        {
            return [new Reply("You haven't requested any changes yet.") { Title = "My change requests", Actions = [new ReplyAction(ChangeApprovalFlow.NewAction, "Request a change")] }];
        }

        return [new Reply($"Your latest change request(s): {mine.Count(c => c.Status == ChangeStatus.Pending)} pending.")
        {
            Title = "My change requests",
            Items = [.. mine.Select(c => new ReplyItem($"#{c.Id} {c.Title} — {c.Status.ToString().ToLowerInvariant()}{(c.Status == ChangeStatus.Pending ? $", expires {ChangeCards.When(c.ExpiresAt)}" : "")}")
            {
                Actions = [new ReplyAction(ChangeApprovalFlow.ViewAction, "Details", new Dictionary<string, string> { [ChangeApprovalFlow.ChangeKey] = c.Id.ToString(CultureInfo.InvariantCulture) })],
            })],
        }];
    }
}
