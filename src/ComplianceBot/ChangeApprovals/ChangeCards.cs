using System.Globalization;
using ComplianceBot.Conversations;
using ComplianceBot.People;

namespace ComplianceBot.ChangeApprovals;

/// <summary>The change card in every state, as each person should see it: approvers get buttons, everyone else sees why not.</summary>
public static class ChangeCards
{
    public static string RiskBadge(ChangeRisk risk) => risk switch
    {
        ChangeRisk.Low => "🟢 LOW",
        ChangeRisk.Medium => "🟡 MEDIUM",
        ChangeRisk.High => "🔴 HIGH",
        _ => "🚨 EMERGENCY",
    };

    public static string StatusText(ChangeStatus status) => status.ToString().ToLowerInvariant();

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The card for <paramref name="viewer"/> (null: a neutral view without buttons, e.g. the requester's notice).</summary>
    public static Reply For(ChangeRequest change, Person? viewer, string? lead = null)
    {
        var fields = new List<ReplyField>
        {
            new("System", change.System),
            new("Risk", RiskBadge(change.Risk)),
            new("Requester", Name(change.Requester, change.RequesterId)),
        };
        if (change.Author is { } author)
        {
            fields.Add(new("Author", author.Name));
        }

        if (change.Links.Length > 0)
        {
            fields.Add(new("Links", change.Links.Replace("\n", " · ", StringComparison.Ordinal)));
        }

        fields.Add(new("Rollback plan", change.RollbackPlan ?? "—"));
        if (change.TestEvidence is { } evidence)
        {
            fields.Add(new("Test evidence", evidence));
        }

        fields.Add(new("Planned window", change.PlannedWindow ?? "—"));
        fields.Add(new("Approval needed", Needed(change)));
        fields.Add(new("Status", StatusLine(change)));
        fields.AddRange(change.Decisions.OrderBy(d => d.DecidedAt).Select(d => new ReplyField(
            $"{(d.Decision == ChangeDecisionKind.Approve ? "Approved" : "Rejected")} by {Name(d.Approver, d.ApproverId)}",
            d.Comment is { Length: > 0 } comment ? $"{When(d.DecidedAt)} — “{comment}”" : When(d.DecidedAt))));

        var (note, actions) = ViewerPart(change, viewer);
        // Key facts and the decision first; the description (up to 4,000 characters) below them, collapsed where it can be.
        var text = string.Join("\n\n", new[] { lead, note }.Where(t => !string.IsNullOrWhiteSpace(t)));
        return new Reply(text)
        {
            Title = $"Change #{change.Id}: {change.Title}",
            Details = string.IsNullOrWhiteSpace(change.Description) ? null : RichText.Concat(RichText.Bold("Description"), "\n", change.Description),
            Fields = fields,
            Actions = actions,
            Refresh = change.IsPending ? Refresh(change) : null,
        };
    }

    /// <summary>Approvers still deciding get their own view (Teams refresh.userIds); those who decided drop off the list.</summary>
    public static UserSpecificView Refresh(ChangeRequest change) =>
        new(ChangeApprovalFlow.ViewAction, Data(change), [.. change.UndecidedApprovers().Where(a => !change.IsConflicted(a.PersonId)).Select(a => a.PersonId)]);

    public static IReadOnlyList<ReplyAction> DecisionButtons(ChangeRequest change) =>
    [
        new(ChangeApprovalFlow.ApproveAction, "Approve", Data(change), ActionStyle.Primary),
        new(ChangeApprovalFlow.RejectAction, "Reject", Data(change), ActionStyle.Danger),
    ];

    public static Dictionary<string, string> Data(ChangeRequest change) =>
        new() { [ChangeApprovalFlow.ChangeKey] = change.Id.ToString(CultureInfo.InvariantCulture) };

    /// <summary>The comment form shown when Reject is pressed; re-shown with an error when submitted empty.</summary>
    public static Reply RejectForm(ChangeRequest change, bool missingComment) => new($"Rejecting change #{change.Id}: {change.Title}. Say why, so the requester can fix it.")
    {
        Title = $"Reject change #{change.Id}",
        // The card turns into the comment form where it was clicked (Teams, web); Slack opens it as a modal.
        UpdatesSource = true,
        Form = new ReplyForm($"Reject change #{change.Id}", ChangeApprovalFlow.RejectAction, "Reject",
            [new ReplyInput(ChangeApprovalFlow.CommentKey, "Why are you rejecting it?", InputKind.MultilineText) { Required = true }])
        {
            Data = Data(change),
            Errors = missingComment ? new Dictionary<string, string> { [ChangeApprovalFlow.CommentKey] = "A comment is required to reject a change." } : new Dictionary<string, string>(),
        },
    };

    public static ReplyItem Item(ChangeRequest change) => new($"#{change.Id} {change.Title} — {change.System}, {RiskBadge(change.Risk)}, requested by {Name(change.Requester, change.RequesterId)} on {When(change.CreatedAt)}")
    {
        Fields = [new("Planned window", change.PlannedWindow ?? "—"), new("Rollback plan", change.RollbackPlan ?? "—")],
        Actions = [.. DecisionButtons(change), new ReplyAction(ChangeApprovalFlow.ViewAction, "Details", Data(change))],
    };

    private static (string? Note, IReadOnlyList<ReplyAction> Actions) ViewerPart(ChangeRequest change, Person? viewer)
    {
        if (viewer is null)
        {
            return (null, []);
        }

        if (change.DecisionBy(viewer.Id) is { } mine)
        {
            return ($"You {(mine.Decision == ChangeDecisionKind.Approve ? "approved" : "rejected")} this change on {When(mine.DecidedAt)}.", []);
        }

        if (!change.IsPending)
        {
            return (null, []);
        }

        if (change.IsConflicted(viewer.Id))
        {
            return (viewer.Id == change.RequesterId
                ? "You requested this change, so you cannot approve it (segregation of duties)."
                : "You wrote this change, so you cannot approve it (segregation of duties).", []);
        }

        return change.ApproverFor(viewer.Id) is null
            ? ("You are not an approver of this change.", [])
            : (null, DecisionButtons(change));
    }

    private static string StatusLine(ChangeRequest change) => change.Status switch
    {
        ChangeStatus.Pending when change.ApprovedAfterTheFact => $"pending — emergency: may proceed; must be approved by {When(change.ExpiresAt)}",
        ChangeStatus.Pending => $"pending — expires {When(change.ExpiresAt)}",
        _ when change.DecidedAt is { } at => $"{StatusText(change.Status)} on {When(at)}",
        _ => StatusText(change.Status),
    };

    private static string Needed(ChangeRequest change)
    {
        var manager = change.Approvers.FirstOrDefault(a => a.Roles.HasFlag(ApproverRoles.Manager));
        var parts = new List<string>();
        if (change.RequiresManager)
        {
            parts.Add($"manager ({Name(manager?.Person, manager?.PersonId ?? 0)})");
        }

        if (change.RequiresChangeAdvisory)
        {
            parts.Add("one change-advisory member");
        }

        var needed = parts.Count == 0 ? "none" : string.Join(" + ", parts);
        return change.ApprovedAfterTheFact ? needed + ", after the fact" : needed;
    }

    private static string Name(Person? person, int id) => person?.Name ?? $"person {id}";
}
