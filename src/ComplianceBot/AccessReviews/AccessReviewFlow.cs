using System.Globalization;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

/// <summary>
/// The reviewer's side of an access review, the same in every channel: pages of accounts (flagged first) with
/// Keep / Revoke / Defer / Escalate, a bulk keep, progress, sign-off; and the system admin's revocation follow-ups.
/// </summary>
public sealed class AccessReviewFlow(ComplianceDbContext db, AccessReviewService reviews, TimeProvider clock) : IFlow
{
    public const string FlowName = "access";
    public const string ListAction = "access.list";
    public const string StartAction = "access.start";
    public const string PageAction = "access.page";
    public const string KeepAction = "access.keep";
    public const string RevokeAction = "access.revoke";
    public const string RevokeReasonAction = "access.revoke-reason";
    public const string DeferAction = "access.defer";
    public const string EscalateAction = "access.escalate";
    public const string KeepAllAction = "access.keep-all";
    public const string SignOffAction = "access.sign-off";
    public const string RevocationsAction = "access.revocations";
    public const string ConfirmRevocationAction = "access.revoked";
    public const string ConfirmRevocationNoteAction = "access.revoked-note";
    public const string ReasonInput = "reason";
    public const string NoteInput = "note";

    // Bounds that keep one page inside every channel's limits (Slack section text 3000, button value 2000).
    private const int MaxCellLength = 120;

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["access reviews", "access review", "my access reviews", "review", "reviews", "revocations"];

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        var action = context.Action;
        var page = Int(action?.Get("page")) ?? 1;
        switch (action?.Id)
        {
            case StartAction or PageAction when Int(action.Get("review")) is { } reviewId:
                return [await PageReplyAsync(reviewId, person, page, null, action.Id == PageAction, cancellationToken)];

            case KeepAction or DeferAction when Long(action.Get("item")) is { } itemId:
                var decision = action.Id == KeepAction ? AccessDecision.Keep : AccessDecision.Deferred;
                return [await AfterAsync(await reviews.DecideAsync(itemId, decision, null, Version(action), person, cancellationToken), person, page, cancellationToken)];

            case RevokeAction when Long(action.Get("item")) is { } itemId:
                return [await RevokeFormAsync(itemId, person, action, null, cancellationToken)];

            case RevokeReasonAction when Long(action.Get("item")) is { } itemId:
                if (action.Get(ReasonInput) is not { } reason)
                {
                    return [await RevokeFormAsync(itemId, person, action, "A revocation needs a reason (the auditor reads it).", cancellationToken)];
                }

                return [await AfterAsync(await reviews.DecideAsync(itemId, AccessDecision.Revoke, reason, Version(action), person, cancellationToken), person, page, cancellationToken)];

            case EscalateAction when Long(action.Get("item")) is { } itemId:
                return [await AfterAsync(await reviews.EscalateAsync(itemId, Version(action), person, cancellationToken), person, page, cancellationToken)];

            case KeepAllAction when Int(action.Get("review")) is { } reviewId:
                return [await AfterAsync(await reviews.KeepAllUnchangedAsync(reviewId, person, cancellationToken), person, page, cancellationToken)];

            case SignOffAction when Int(action.Get("review")) is { } reviewId:
                var signed = await reviews.SignOffAsync(reviewId, person, context.Turn.From.Channel, context.Turn.Source, cancellationToken);
                return [await PageReplyAsync(reviewId, person, 1, signed.Message, true, cancellationToken)];

            case RevocationsAction when Int(action.Get("review")) is { } reviewId:
                return [await RevocationsReplyAsync(reviewId, person, null, cancellationToken)];

            case ConfirmRevocationAction when Long(action.Get("revocation")) is { } revocationId:
                return [ConfirmForm(revocationId, action, null)];

            case ConfirmRevocationNoteAction when Long(action.Get("revocation")) is { } revocationId:
                if (action.Get(NoteInput) is not { } note)
                {
                    return [ConfirmForm(revocationId, action, "Say what was done (a ticket link or a short note).")];
                }

                var confirmed = await reviews.ConfirmRevocationAsync(revocationId, note, person, context.Turn.From.Channel, cancellationToken);
                return [await RevocationsReplyAsync(confirmed.ReviewId, person, confirmed.Message, cancellationToken)];

            default:
                return [await ListAsync(person, cancellationToken)];
        }
    }

    /// <summary>Button data as strings (the channels carry it back verbatim).</summary>
    public static Dictionary<string, string> Data(params (string Key, object Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "");

    private async Task<Reply> AfterAsync(DecisionOutcome outcome, Person person, int page, CancellationToken cancellationToken) =>
        outcome.ReviewId == 0
            ? new Reply(outcome.Message)
            : await PageReplyAsync(outcome.ReviewId, person, page, outcome.Message, true, cancellationToken);

    private async Task<Reply> PageReplyAsync(int reviewId, Person person, int page, string? notice, bool updatesSource, CancellationToken cancellationToken)
    {
        if (await reviews.PageAsync(reviewId, person, page, cancellationToken) is not { } view)
        {
            // Not theirs to see (or gone): a refusal they caused is still said, the review's page is not shown.
            return new Reply(notice ?? "I couldn't find that access review.");
        }

        var review = view.Review;
        var progress = view.Progress;
        var title = $"{review.SystemName} access review — {review.Period}";
        var lines = new List<string>();
        if (notice is not null)
        {
            lines.Add(notice);
        }

        lines.Add($"{progress.Decided}/{progress.Total} decided · due {review.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}");
        if (review.Status != AccessReviewStatus.InReview)
        {
            lines.Add(review.Status == AccessReviewStatus.Completed
                ? "Complete: every revocation is confirmed and the report is stored as evidence."
                : $"Signed off {review.SignedOffAt?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}; decisions are locked while the revocations are carried out.");
        }

        if (!view.IsReviewer)
        {
            lines.Add($"{view.Review.Reviewer?.Name} is the reviewer; {progress.Mine} account{(progress.Mine == 1 ? " is" : "s are")} with you to decide.");
        }
        else if (progress.Total > progress.Mine)
        {
            lines.Add($"{progress.Total - progress.Mine} account{(progress.Total - progress.Mine == 1 ? " is" : "s are")} with someone else (your own accounts go to your manager; escalated ones to whoever you escalated to).");
        }

        if (progress.Mine == 0)
        {
            lines.Add("Nothing on this review is waiting for you.");
        }
        else if (view.Pages > 1)
        {
            lines.Add($"Page {view.Page} of {view.Pages}, flagged accounts first.");
        }

        var open = review.IsOpen;
        var actions = new List<ReplyAction>();
        if (view.Page > 1)
        {
            actions.Add(new ReplyAction(PageAction, "Previous", Data(("review", reviewId), ("page", view.Page - 1))));
        }

        if (view.Page < view.Pages)
        {
            actions.Add(new ReplyAction(PageAction, "Next", Data(("review", reviewId), ("page", view.Page + 1))));
        }

        if (open && progress.BulkKeepable > 0)
        {
            actions.Add(new ReplyAction(KeepAllAction, $"Keep all unchanged, unflagged accounts ({progress.BulkKeepable})", Data(("review", reviewId), ("page", view.Page)))
            {
                Confirm = $"Keep {progress.BulkKeepable} account{(progress.BulkKeepable == 1 ? "" : "s")} that are unchanged since the previous review and have no flags? You can still change any of them until sign-off.",
            });
        }

        if (open && view.IsReviewer && progress.Decided == progress.Total)
        {
            actions.Add(new ReplyAction(SignOffAction, "Sign off", Data(("review", reviewId)), ActionStyle.Primary)
            {
                Confirm = AccessReviewService.Statement(review, progress),
            });
        }

        return new Reply(string.Join("\n", lines))
        {
            Title = title,
            Items = [.. view.Items.Select(i => Describe(i, reviewId, view.Page, open))],
            Actions = actions,
            UpdatesSource = updatesSource,
        };
    }

    private static ReplyItem Describe(ItemView item, int reviewId, int page, bool open)
    {
        var fields = new List<ReplyField>();
        if (item.Flags != AccountFlags.None)
        {
            fields.Add(new("Flags", AccessReviewReport.FlagText(item.Flags).Replace(' ', ',').Replace(",", ", ", StringComparison.Ordinal)));
        }

        fields.Add(new("Change", item.Change.ToString().ToLowerInvariant()));
        fields.Add(new("Last login", item.LastLogin is { } login ? login.ToString("d MMM yyyy", CultureInfo.InvariantCulture) : "never"));
        fields.Add(new("Decision", DecisionText(item)));

        var data = Data(("review", reviewId), ("item", item.Id), ("v", item.Version.ToString("N")), ("page", page));
        return new ReplyItem(Cut($"{item.AccountId} — {item.DisplayName}{(item.Email.Length > 0 ? $" ({item.Email})" : "")} · {(item.Role.Length > 0 ? item.Role : "no role")}", 3 * MaxCellLength))
        {
            Fields = fields,
            Actions = !open ? [] :
            [
                new ReplyAction(KeepAction, "Keep", data, ActionStyle.Primary),
                new ReplyAction(RevokeAction, "Revoke", data, ActionStyle.Danger),
                new ReplyAction(DeferAction, "Defer", data),
                new ReplyAction(EscalateAction, "Escalate", data),
            ],
        };
    }

    private static string DecisionText(ItemView item)
    {
        var who = item.DecidedBy is null ? "" : $" — {item.DecidedBy}, {item.DecidedAt?.ToString("d MMM", CultureInfo.InvariantCulture)}";
        return item.Decision switch
        {
            AccessDecision.Pending => "undecided",
            AccessDecision.Revoke => Cut($"revoke ({item.Reason}){who}", MaxCellLength * 2),
            AccessDecision.Escalated => Cut($"escalated ({item.Reason})", MaxCellLength),
            _ => AccessReviewService.Describe(item.Decision) + who,
        };
    }

    private async Task<Reply> RevokeFormAsync(long itemId, Person person, TurnAction action, string? error, CancellationToken cancellationToken)
    {
        // Only the person the account is with may see it here, as only they may decide on it.
        var account = await db.Set<AccessReviewItem>().AsNoTracking().Where(i => i.Id == itemId && i.AssigneeId == person.Id)
            .Select(i => new { i.AccountId, i.DisplayName }).SingleOrDefaultAsync(cancellationToken);
        if (account is null)
        {
            return new Reply("I couldn't find that account any more.");
        }

        // The form takes the page's place (Teams, web) or opens over it (Slack modal); the decision then updates that page.
        return new Reply($"Revoke {account.AccountId} ({account.DisplayName})? Say why; the reason goes into the review report.")
        {
            UpdatesSource = true,
            Form = new ReplyForm("Revoke access", RevokeReasonAction, "Revoke",
                [new ReplyInput(ReasonInput, "Reason", InputKind.MultilineText) { Required = true, Placeholder = "e.g. moved to another team in October", Value = action.Get(ReasonInput) }])
            {
                Data = Data(("item", itemId), ("v", action.Get("v") ?? ""), ("page", action.Get("page") ?? "1"), ("review", action.Get("review") ?? "")),
                Errors = error is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [ReasonInput] = error },
            },
        };
    }

    private static Reply ConfirmForm(long revocationId, TurnAction action, string? error) =>
        new("Confirm the account is removed. Add the ticket link or a short note of what was done; it goes into the review report.")
        {
            UpdatesSource = true,
            Form = new ReplyForm("Confirm revocation", ConfirmRevocationNoteAction, "Confirm",
                [new ReplyInput(NoteInput, "What was done", InputKind.MultilineText) { Required = true, Placeholder = "e.g. removed from the org, ticket IT-1234" }])
            {
                Data = Data(("revocation", revocationId), ("review", action.Get("review") ?? "")),
                Errors = error is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [NoteInput] = error },
            },
        };

    private async Task<Reply> RevocationsReplyAsync(int reviewId, Person person, string? notice, CancellationToken cancellationToken)
    {
        var review = await db.Set<AccessReview>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken);
        if (review is null)
        {
            return new Reply(notice ?? "I couldn't find that access review.");
        }

        var open = await reviews.OpenRevocationsAsync(reviewId, person, cancellationToken);
        var count = await reviews.OpenRevocationCountAsync(reviewId, person, cancellationToken);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var text = count == 0 ? "No revocations are waiting for you on this review." : $"{count} revocation{(count == 1 ? "" : "s")} to carry out and confirm.";
        return new Reply(notice is null ? text : $"{notice}\n{text}")
        {
            Title = $"{review.SystemName} revocations — {review.Period}",
            Items =
            [
                .. open.Select(r => new ReplyItem(Cut($"{r.AccountId} — {r.DisplayName} · {r.Role}", 3 * MaxCellLength))
                {
                    Fields =
                    [
                        new("Reason", Cut(r.Reason ?? "", MaxCellLength * 2)),
                        new("Due", r.DueDate < today ? $"OVERDUE (was due {r.DueDate.ToString("d MMM", CultureInfo.InvariantCulture)})" : r.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture)),
                    ],
                    Actions = [new ReplyAction(ConfirmRevocationAction, "Done", Data(("revocation", r.Id), ("review", reviewId)), ActionStyle.Primary)],
                }),
            ],
            UpdatesSource = true,
        };
    }

    private async Task<Reply> ListAsync(Person person, CancellationToken cancellationToken)
    {
        var items = db.Set<AccessReviewItem>();
        var reviewsForMe = await db.Set<AccessReview>().AsNoTracking()
            .Where(r => r.Status == AccessReviewStatus.InReview && (r.ReviewerId == person.Id || items.Any(i => i.ReviewId == r.Id && i.AssigneeId == person.Id)))
            .OrderBy(r => r.DueDate)
            .Select(r => new
            {
                r.Id, r.SystemName, r.Period, r.DueDate, r.AccountCount,
                Decided = items.Count(i => i.ReviewId == r.Id && (i.Decision == AccessDecision.Keep || i.Decision == AccessDecision.Revoke)),
            })
            .Take(10).ToListAsync(cancellationToken);
        var revocations = await db.Set<AccessRevocation>().AsNoTracking()
            .Where(r => r.AssigneeId == person.Id && r.ConfirmedAt == null)
            .GroupBy(r => new { r.ReviewId, r.Review!.SystemName, r.Review.Period })
            .Select(g => new { g.Key.ReviewId, g.Key.SystemName, g.Key.Period, Count = g.Count() })
            .OrderBy(g => g.ReviewId)
            .Take(10).ToListAsync(cancellationToken);
        if (reviewsForMe.Count == 0 && revocations.Count == 0)
        {
            return new Reply("You have no access reviews or revocations waiting for you.") { Title = "Access reviews" };
        }

        return new Reply("Your access reviews and revocations:")
        {
            Title = "Access reviews",
            Items =
            [
                .. reviewsForMe.Select(r => new ReplyItem($"{r.SystemName} — {r.Period}: {r.Decided}/{r.AccountCount} decided, due {r.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}")
                {
                    Actions = [new ReplyAction(StartAction, "Open", Data(("review", r.Id)), ActionStyle.Primary)],
                }),
                .. revocations.Select(r => new ReplyItem($"{r.SystemName} — {r.Period}: {r.Count} revocation{(r.Count == 1 ? "" : "s")} to confirm")
                {
                    Actions = [new ReplyAction(RevocationsAction, "Show revocations", Data(("review", r.ReviewId)), ActionStyle.Primary)],
                }),
            ],
        };
    }

    private static Guid? Version(TurnAction action) => Guid.TryParseExact(action.Get("v"), "N", out var v) ? v : null;

    private static int? Int(string? value) => int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static long? Long(string? value) => long.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
