using System.Globalization;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.ChangeApprovals;

/// <summary>
/// "new change" (a form), "approvals" (my pending approvals), and the Approve / Reject / refresh actions on change cards.
/// Who decides is always the turn's resolved person; the card's data only says which change.
/// </summary>
public sealed class ChangeApprovalFlow(ChangeApprovalService service, ComplianceDbContext db) : IFlow
{
    public const string FlowName = "changes";
    public const string NewAction = "changes.new";
    public const string SubmitAction = "changes.submit";
    public const string ApproveAction = "changes.approve";
    public const string RejectAction = "changes.reject";
    public const string ViewAction = "changes.view";
    public const string ListAction = "changes.list";
    public const string ChangeKey = "change";
    public const string CommentKey = "comment";

    public static ReplyAction NewButton { get; } = new(NewAction, "Request a change");
    public static ReplyAction ListButton { get; } = new(ListAction, "My approvals");

    private static readonly string[] ListCommands = ["approvals", "my approvals", "pending approvals", "changes to approve"];

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["new change", "change", "request change", "change request", .. ListCommands];

    public IReadOnlyList<string> CommandsWithArguments { get; } = ["new change", "request change", "change request"];

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var action = context.Action;
        return action?.Id switch
        {
            NewAction => [await FormAsync(new Dictionary<string, string>(), new Dictionary<string, string>(), cancellationToken)],
            SubmitAction => [await SubmitAsync(context, action, cancellationToken)],
            ApproveAction or RejectAction => [await DecideAsync(context, action, cancellationToken)],
            ViewAction => [await ViewAsync(context, action, cancellationToken)],
            ListAction => [await ListAsync(context, cancellationToken)],
            null when ListCommands.Contains(FlowRouter.Normalize(context.Turn.Text)) => [await ListAsync(context, cancellationToken)],
            null => [await FormAsync(new Dictionary<string, string> { [NewChange.Fields.Title] = context.Arguments }, new Dictionary<string, string>(), cancellationToken)],
            _ => [new Reply("I don't know that change button. Type \"approvals\" to see what waits for you.")],
        };
    }

    private async Task<Reply> SubmitAsync(FlowContext context, TurnAction action, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        var input = new NewChange(
            action.Get(NewChange.Fields.Title),
            action.Get(NewChange.Fields.Description),
            action.Get(NewChange.Fields.System),
            action.Get(NewChange.Fields.Risk),
            person.Email,
            action.Get(NewChange.Fields.AuthorEmail),
            NewChange.SplitLinks(action.Get(NewChange.Fields.Links)),
            action.Get(NewChange.Fields.RollbackPlan),
            action.Get(NewChange.Fields.TestEvidence),
            action.Get(NewChange.Fields.PlannedWindow));
        var result = await service.CreateAsync(input, person.Email, cancellationToken);
        if (result.Change is not { } change)
        {
            // The requester is the sender, so an error about the requester is about them: show it above the form.
            var errors = result.Errors.ToDictionary(e => e.Key == NewChange.Fields.RequesterEmail ? NewChange.Fields.Title : e.Key, e => e.Value);
            return await FormAsync(action.Data, errors, cancellationToken);
        }

        var approvers = string.Join(" and ", change.Approvers.Select(a => a.Person!.Name));
        var lead = change.ApprovedAfterTheFact
            ? $"Emergency change #{change.Id} recorded: you may proceed. {approvers} must approve it after the fact by {ChangeCards.When(change.ExpiresAt)}."
            : $"Change #{change.Id} submitted. I've asked {approvers} to approve it; I'll tell you when it is decided.";
        return ChangeCards.For(change, person, lead) with { Refresh = null };
    }

    private async Task<Reply> DecideAsync(FlowContext context, TurnAction action, CancellationToken cancellationToken)
    {
        if (!int.TryParse(action.Get(ChangeKey), NumberStyles.None, CultureInfo.InvariantCulture, out var changeId))
        {
            return new Reply("That button doesn't say which change it is for. Type \"approvals\" to see your pending approvals.");
        }

        var kind = action.Id == ApproveAction ? ChangeDecisionKind.Approve : ChangeDecisionKind.Reject;
        // A Reject press carries no comment key; the comment form's submission always does (empty when left blank).
        var submittedComment = action.Data.TryGetValue(CommentKey, out var comment);
        var result = await service.DecideAsync(changeId, context.Person!, kind, comment, context.Turn.From.Channel, cancellationToken, context.Turn.Source);
        var change = result.Change;
        return result.Outcome switch
        {
            DecisionOutcome.NotFound => new Reply($"I couldn't find change #{changeId}."),
            DecisionOutcome.CommentRequired => ChangeCards.RejectForm(change!, missingComment: submittedComment),
            DecisionOutcome.SegregationOfDuties => new Reply(
                $"You {(context.Person!.Id == change!.RequesterId ? "requested" : "wrote")} change #{change.Id}, so you cannot approve or reject it (segregation of duties). This attempt has been recorded."),
            DecisionOutcome.NotAnApprover => new Reply($"You are not an approver of change #{change!.Id}. This attempt has been recorded."),
            // The same click arriving again (a redelivery, possibly on another host) finds its own decision: say it is recorded.
            DecisionOutcome.AlreadyDecidedByYou => ChangeCards.For(change!, context.Person, change!.DecisionBy(context.Person!.Id)!.Decision == kind
                ? $"You already decided this change: your {(kind == ChangeDecisionKind.Approve ? "approval" : "rejection")} of change #{change.Id} is already recorded."
                : "You already decided this change; your first decision stands.") with { UpdatesSource = true },
            DecisionOutcome.ChangeClosed => ChangeCards.For(change!, context.Person, $"Change #{change!.Id} is already {ChangeCards.StatusText(change.Status)}; nothing more to decide.") with { UpdatesSource = true },
            _ => ChangeCards.For(change!, context.Person, Outcome(change!, kind)) with { UpdatesSource = true },
        };
    }

    /// <summary>The per-person view (Teams asks for it for each id in refresh.userIds; "Details" elsewhere).</summary>
    private async Task<Reply> ViewAsync(FlowContext context, TurnAction action, CancellationToken cancellationToken)
    {
        if (!int.TryParse(action.Get(ChangeKey), NumberStyles.None, CultureInfo.InvariantCulture, out var changeId) ||
            await service.LoadAsync(changeId, cancellationToken) is not { } change || !change.MayBeViewedBy(context.Person!))
        {
            // The same answer whether the change does not exist or is not theirs to see: ids are not a way to browse.
            return new Reply("I couldn't find that change.");
        }

        return ChangeCards.For(change, context.Person) with { UpdatesSource = true };
    }

    private async Task<Reply> ListAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var changes = await service.PendingForAsync(context.Person!, cancellationToken);
        if (changes.Count == 0)
        {
            return new Reply("No changes are waiting for your approval.") { Title = "My approvals", Actions = [NewButton] };
        }

        return new Reply($"{changes.Count} change(s) wait for your decision.")
        {
            Title = "My approvals",
            Items = [.. changes.Select(ChangeCards.Item)],
        };
    }

    private async Task<Reply> FormAsync(IReadOnlyDictionary<string, string> values, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        var systems = await db.Systems.AsNoTracking().OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(cancellationToken);
        string? Value(string key) => values.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;
        var form = new ReplyForm("Request a change", SubmitAction, "Submit for approval",
        [
            new(NewChange.Fields.Title, "Title") { Required = true, Value = Value(NewChange.Fields.Title) },
            new(NewChange.Fields.Description, "What changes and why", InputKind.MultilineText) { Required = true, Value = Value(NewChange.Fields.Description) },
            new(NewChange.Fields.System, "System", InputKind.Choice) { Required = true, Value = Value(NewChange.Fields.System), Options = [.. systems.Select(s => new ChoiceOption(s, s))] },
            new(NewChange.Fields.Risk, "Risk", InputKind.Choice)
            {
                Required = true,
                Value = Value(NewChange.Fields.Risk),
                Options = [.. Enum.GetValues<ChangeRisk>().Select(r => new ChoiceOption(r.ToString().ToLowerInvariant(), ChangeCards.RiskBadge(r)))],
            },
            new(NewChange.Fields.Links, "Links (pull request, ticket)", InputKind.MultilineText) { Value = Value(NewChange.Fields.Links), Placeholder = "one URL per line" },
            new(NewChange.Fields.RollbackPlan, "Rollback plan", InputKind.MultilineText) { Value = Value(NewChange.Fields.RollbackPlan) },
            new(NewChange.Fields.TestEvidence, "Test evidence", InputKind.MultilineText) { Value = Value(NewChange.Fields.TestEvidence) },
            new(NewChange.Fields.PlannedWindow, "Planned window") { Value = Value(NewChange.Fields.PlannedWindow), Placeholder = "e.g. 1 Dec 22:00–23:00 UTC" },
            new(NewChange.Fields.AuthorEmail, "Author's email, if someone else wrote it") { Value = Value(NewChange.Fields.AuthorEmail) },
        ])
        { Errors = errors };
        return new Reply(errors.Count == 0 ? "Describe the change; your manager gets an approval card." : "Please fix the marked fields.") { Title = "Request a change", Form = form };
    }

    private static string Outcome(ChangeRequest change, ChangeDecisionKind kind) => (kind, change.Status) switch
    {
        (ChangeDecisionKind.Reject, _) => $"You rejected change #{change.Id}. The requester has been told why.",
        (_, ChangeStatus.Approved) => $"You approved change #{change.Id}. It is now approved.",
        _ => $"You approved change #{change.Id}. It still needs {(change.RequiresChangeAdvisory ? "the other required approval" : "another approval")}.",
    };
}
