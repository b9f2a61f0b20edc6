using System.Globalization;
using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.AccessReviews;

/// <summary>
/// The reviewer's side of an access review, the same in every channel: pages of accounts (flagged first) with
/// Keep / Revoke / Defer / Escalate, "Who is this?" for unmatched accounts, a bulk keep, progress, sign-off; after it,
/// Keep / Revoke on the accounts deferred at sign-off; and the system admin's revocation follow-ups.
/// </summary>
public sealed class AccessReviewFlow(ComplianceDbContext db, AccessReviewService reviews, AccountMarks marks, TimeProvider clock) : IFlow
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
    public const string EscalateAskAction = "access.escalate-ask";
    public const string AnswerAction = "access.answer";
    public const string AnswerFormAction = "access.answer-form";
    public const string QuestionsAction = "access.questions";
    public const string IdentifyAction = "access.identify";
    public const string IdentifySaveAction = "access.identify-save";
    public const string KeepAllAction = "access.keep-all";
    public const string SignOffAction = "access.sign-off";
    public const string RevocationsAction = "access.revocations";
    public const string ConfirmRevocationAction = "access.revoked";
    public const string ConfirmRevocationNoteAction = "access.revoked-note";
    public const string ConfirmKey = "ok";
    public const string ViaTextKey = "via";
    public const string ReasonInput = "reason";
    public const string NoteInput = "note";
    public const string PersonInput = "person";
    public const string QuestionInput = "question";
    public const string AnswerInput = "answer";
    public const string RecommendationKey = "rec";
    public const string KindInput = "kind";

    // "Who is this?": a person's own account, or one of the marks (AccountMarks.TryParseKind reads these values).
    private const string PersonsOwn = "person";
    private static readonly ChoiceOption[] IdentityKinds =
    [
        new(PersonsOwn, "A person's own account"),
        new("service account", "Service account (CI, integration, bot)"),
        new("external", "External (contractor, vendor, guest)"),
        new("shared", "Shared by several people"),
        new("not a person", "Not a person (test user, placeholder)"),
    ];

    // Bounds that keep one page inside every channel's limits (Slack section text 3000, button value 2000).
    private const int MaxCellLength = 120;

    // A bulk keep's confirmation names this many accounts (and counts the rest) to stay inside one message.
    private const int MaxListedBulk = 60;

    public string Name => FlowName;

    public IReadOnlyList<string> Commands { get; } = ["access reviews", "access review", "my access reviews", "review", "reviews", "revocations"];

    public async Task<IReadOnlyList<Reply>> HandleAsync(FlowContext context, CancellationToken cancellationToken)
    {
        var person = context.Person!;
        var action = context.Action;
        var page = Int(action?.Get("page")) ?? 1;
        var filter = ReviewFilter.Decode(action?.Get(ReviewFilter.DataKey));
        // A request typed in words answers with a new message; a click replaces the message it came from.
        var typed = action?.Get(ViaTextKey) is not null;
        switch (action?.Id)
        {
            case StartAction or PageAction when Int(action.Get("review")) is { } reviewId:
                return [await PageReplyAsync(reviewId, person, page, null, action.Id == PageAction && !typed, cancellationToken, filter)];

            case KeepAction or DeferAction when Long(action.Get("item")) is { } itemId:
                var decision = action.Id == KeepAction ? AccessDecision.Keep : AccessDecision.Deferred;
                return [await AfterAsync(await reviews.DecideAsync(itemId, decision, null, Version(action), person, cancellationToken, context.Turn.From.Channel), person, page, cancellationToken, filter)];

            case RevokeAction when Long(action.Get("item")) is { } itemId:
                return [await RevokeFormAsync(itemId, person, action, null, cancellationToken)];

            case RevokeReasonAction when Long(action.Get("item")) is { } itemId:
                if (action.Get(ReasonInput) is not { } reason)
                {
                    return [await RevokeFormAsync(itemId, person, action, "A revocation needs a reason (the auditor reads it).", cancellationToken)];
                }

                return [await AfterAsync(await reviews.DecideAsync(itemId, AccessDecision.Revoke, reason, Version(action), person, cancellationToken, context.Turn.From.Channel), person, page, cancellationToken, filter)];

            case EscalateAction when Long(action.Get("item")) is { } itemId:
                return [await EscalateFormAsync(itemId, person, action, new Dictionary<string, string>(), cancellationToken)];

            case EscalateAskAction when Long(action.Get("item")) is { } itemId:
                return [await EscalateAskAsync(itemId, person, action, page, filter, cancellationToken)];

            case IdentifyAction when Long(action.Get("item")) is { } itemId:
                return [await IdentifyFormAsync(itemId, person, action, new Dictionary<string, string>(), cancellationToken)];

            case IdentifySaveAction when Long(action.Get("item")) is { } itemId:
                return [await IdentifySaveAsync(itemId, person, action, page, filter, cancellationToken)];

            case AnswerFormAction when Long(action.Get("item")) is { } itemId:
                return [AnswerForm(itemId, action, null)];

            case AnswerAction when Long(action.Get("item")) is { } itemId:
                var recommendation = Recommendation(action);
                if (action.Get(AnswerInput) is null && recommendation != AccessDecision.Keep)
                {
                    return [AnswerForm(itemId, action, recommendation == AccessDecision.Revoke ? "Say why the account should go; the reviewer and the auditor read it." : "Write your answer for the reviewer.")];
                }

                var answered = await reviews.AnswerAsync(itemId, recommendation, action.Get(AnswerInput), person, cancellationToken);
                return [new Reply(answered.Message) { UpdatesSource = !typed }];

            case QuestionsAction:
                return [await QuestionsReplyAsync(person, cancellationToken)];

            case KeepAllAction when Int(action.Get("review")) is { } reviewId && action.Get(ConfirmKey) is { Length: > 0 } fingerprint:
                var kept = await reviews.KeepAllAsync(reviewId, person, fingerprint, cancellationToken);
                return [kept.Message == AccessReviewService.BulkKeepChanged
                    ? await KeepAllConfirmationAsync(reviewId, person, page, filter, kept.Message, typed, cancellationToken)
                    : await AfterAsync(kept, person, page, cancellationToken, filter)];

            case KeepAllAction when Int(action.Get("review")) is { } reviewId:
                return [await KeepAllConfirmationAsync(reviewId, person, page, filter, null, typed, cancellationToken)];

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
        // No filter is no key at all: every account's buttons carry the data, so pages stay lean.
        pairs.Where(p => p.Key != ReviewFilter.DataKey || p.Value is string { Length: > 0 })
            .ToDictionary(p => p.Key, p => Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "");

    private async Task<Reply> AfterAsync(DecisionOutcome outcome, Person person, int page, CancellationToken cancellationToken, ReviewFilter? filter = null) =>
        outcome.ReviewId == 0
            ? new Reply(outcome.Message)
            : await PageReplyAsync(outcome.ReviewId, person, page, outcome.Message, true, cancellationToken, filter);

    /// <summary>
    /// "Keep these 65 accounts?" with the accounts named: a bulk keep is confirmed against exactly the set shown (its
    /// fingerprint travels with the button), so nothing the reviewer did not see is kept.
    /// </summary>
    private async Task<Reply> KeepAllConfirmationAsync(int reviewId, Person person, int page, ReviewFilter filter, string? notice, bool typed, CancellationToken cancellationToken)
    {
        var review = await db.Set<AccessReview>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == reviewId, cancellationToken);
        if (review is null || await reviews.PageAsync(reviewId, person, 1, cancellationToken) is null)
        {
            return new Reply("I couldn't find that access review.");
        }

        if (review.LockedMessage is { } locked)
        {
            return await PageReplyAsync(reviewId, person, page, locked, !typed, cancellationToken, filter);
        }

        var set = await reviews.BulkKeepSetAsync(reviewId, person, cancellationToken);
        if (set.ItemIds.Count == 0)
        {
            return await PageReplyAsync(reviewId, person, page, "There are no undecided, unflagged accounts to keep in bulk; decide the rest one by one.", !typed, cancellationToken, filter);
        }

        var rule = set.FirstReview
            ? "They have no flags (this is the first review of the system, so there is nothing to compare with)."
            : "They have no flags and are unchanged since the previous review.";
        var listed = string.Join(", ", set.AccountIds.Take(MaxListedBulk));
        var more = set.AccountIds.Count > MaxListedBulk ? $" and {set.AccountIds.Count - MaxListedBulk} more" : "";
        var count = $"{set.ItemIds.Count} account{(set.ItemIds.Count == 1 ? "" : "s")}";
        var text = $"Keep these {count}? {rule} Flagged, new-or-changed and your own accounts are not included; you can still change any of them until sign-off.\n{Cut(listed, 1200)}{more}.";
        var back = Data(("review", reviewId), ("page", page), (ReviewFilter.DataKey, filter.Encode()));
        var confirm = Data(("review", reviewId), ("page", page), (ReviewFilter.DataKey, filter.Encode()), (ConfirmKey, set.Fingerprint));
        return new Reply(notice is null ? text : $"{notice}\n{text}")
        {
            Title = $"{review.SystemName} access review — {review.Period}",
            Actions = [new ReplyAction(KeepAllAction, $"Keep {count}", confirm, ActionStyle.Primary), new ReplyAction(PageAction, "Back", back)],
            UpdatesSource = !typed,
        };
    }

    private async Task<Reply> PageReplyAsync(int reviewId, Person person, int page, string? notice, bool updatesSource, CancellationToken cancellationToken, ReviewFilter? filter = null)
    {
        filter ??= ReviewFilter.All;
        if (await reviews.PageAsync(reviewId, person, page, cancellationToken, filter) is not { } view)
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
        if (review.Status == AccessReviewStatus.Completed)
        {
            lines.Add("Complete: every revocation is confirmed and the report is stored as evidence.");
        }
        else if (review.Status == AccessReviewStatus.SignedOff)
        {
            var signedOff = review.SignedOffAt?.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
            lines.Add(progress.Deferred > 0
                ? $"Signed off {signedOff}; {progress.Deferred} deferred account{(progress.Deferred == 1 ? "" : "s")} to decide by {review.FollowUpDue?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}. Every other decision is locked."
                : $"Signed off {signedOff}; decisions are locked while the revocations are carried out.");
        }

        if (!view.IsReviewer)
        {
            lines.Add($"{view.Review.Reviewer?.Name} is the reviewer; {progress.Mine} account{(progress.Mine == 1 ? " is" : "s are")} with you to decide.");
        }
        else if (progress.Total > progress.Mine)
        {
            lines.Add($"{progress.Total - progress.Mine} account{(progress.Total - progress.Mine == 1 ? " is" : "s are")} with someone else (your own accounts go to your manager).");
        }

        if (progress.Mine == 0)
        {
            lines.Add("Nothing on this review is waiting for you.");
        }
        else if (!filter.IsAll)
        {
            lines.Add(view.Matching == 0
                ? $"No {filter.Describe()} among your {progress.Mine}."
                : $"Showing {filter.Describe()}: {view.Matching} of your {progress.Mine}{(view.Pages > 1 ? $", page {view.Page} of {view.Pages}" : "")}.");
        }
        else if (view.Pages > 1)
        {
            lines.Add($"Page {view.Page} of {view.Pages}, flagged accounts first.");
        }

        var open = review.IsOpen;
        // After sign-off only the viewer's accounts deferred at it are decided, Keep or Revoke.
        var followUps = review.Status == AccessReviewStatus.SignedOff;
        var f = filter.Encode();
        var actions = new List<ReplyAction>();
        if (view.Page > 1)
        {
            actions.Add(new ReplyAction(PageAction, "Previous", Data(("review", reviewId), ("page", view.Page - 1), (ReviewFilter.DataKey, f))));
        }

        if (view.Page < view.Pages)
        {
            actions.Add(new ReplyAction(PageAction, "Next", Data(("review", reviewId), ("page", view.Page + 1), (ReviewFilter.DataKey, f))));
        }

        if (open && progress.BulkKeepable > 0)
        {
            actions.Add(new ReplyAction(KeepAllAction, $"Keep all unflagged{(review.PreviousReviewId is null ? "" : ", unchanged")} ({progress.BulkKeepable})…", Data(("review", reviewId), ("page", view.Page), (ReviewFilter.DataKey, f))));
        }

        if (!filter.IsAll)
        {
            actions.Add(new ReplyAction(PageAction, "Show all", Data(("review", reviewId), ("page", 1))));
        }
        else if ((open || (followUps && progress.Deferred > 0)) && progress.MineUndecided > 0 && view.Pages > 1)
        {
            actions.Add(new ReplyAction(PageAction, "Undecided only", Data(("review", reviewId), ("page", 1), (ReviewFilter.DataKey, new ReviewFilter(ReviewFilterKind.Undecided).Encode()))));
        }

        if (open && view.IsReviewer && progress.ReadyToSignOff)
        {
            actions.Add(new ReplyAction(SignOffAction, "Sign off", Data(("review", reviewId)), ActionStyle.Primary)
            {
                Confirm = reviews.SignOffStatement(review, progress),
            });
        }

        // A generic file's other columns are the system's entitlements; a vendor export's raw columns stay in the report.
        var extraColumns = review.ImportProfile.StartsWith(Imports.GenericAccounts.Name, StringComparison.Ordinal);
        return new Reply(string.Join("\n", lines))
        {
            Title = title,
            Items =
            [
                .. view.Items.Select(i => AccountCard.Build(i, Data(("review", reviewId), ("item", i.Id), ("v", i.Version.ToString("N")), ("page", view.Page), (ReviewFilter.DataKey, f)), open, extraColumns,
                    followUp: followUps && i.DeferredAtSignOff && i.Decision == AccessDecision.Deferred)),
            ],
            Actions = actions,
            UpdatesSource = updatesSource,
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
                Data = Data(("item", itemId), ("v", action.Get("v") ?? ""), ("page", action.Get("page") ?? "1"), ("review", action.Get("review") ?? ""), (ReviewFilter.DataKey, action.Get(ReviewFilter.DataKey) ?? "")),
                Errors = error is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [ReasonInput] = error },
            },
        };
    }

    /// <summary>Escalate: whom to ask (a directory picker, the system owner's manager suggested) and the question.</summary>
    private async Task<Reply> EscalateFormAsync(long itemId, Person person, TurnAction action, IReadOnlyDictionary<string, string> errors, CancellationToken cancellationToken)
    {
        var item = await db.Set<AccessReviewItem>().AsNoTracking().Include(i => i.Review).SingleOrDefaultAsync(i => i.Id == itemId && i.AssigneeId == person.Id, cancellationToken);
        if (item?.Review is not { } review)
        {
            return new Reply("I couldn't find that account any more.");
        }

        var chosen = action.Get(PersonInput);
        if (chosen is null && await reviews.SuggestedEscalateeAsync(review, person, item.PersonId, cancellationToken) is { } suggested)
        {
            chosen = suggested.Email;
        }

        // Neither the reviewer nor the account's holder is asked.
        int[] excluded = item.PersonId is { } holder ? [person.Id, holder] : [person.Id];
        return new Reply($"Ask someone about {item.AccountId} ({item.DisplayName}, {(item.Role.Length > 0 ? item.Role : "no role")}). They get the account's card and your question; their answer comes back to you, and you decide.")
        {
            UpdatesSource = true,
            Form = new ReplyForm("Escalate with a question", EscalateAskAction, "Ask",
            [
                await PeoplePickerAsync("Ask", chosen, excluded, cancellationToken),
                new ReplyInput(QuestionInput, "Question", InputKind.MultilineText)
                {
                    Required = true, Value = action.Get(QuestionInput), Placeholder = "e.g. Is this the CI deploy user? Does it still need admin?",
                },
            ])
            {
                Data = Data(("item", itemId), ("v", action.Get("v") ?? ""), ("page", action.Get("page") ?? "1"), ("review", action.Get("review") ?? ""), (ReviewFilter.DataKey, action.Get(ReviewFilter.DataKey) ?? "")),
                Errors = errors,
            },
        };
    }

    /// <summary>
    /// A required choice of an active person (but not <paramref name="excluded"/>). A real directory outgrows a list in
    /// the message: past 100 people the channel searches as the user types, and only the current choice is listed.
    /// </summary>
    private async Task<ReplyInput> PeoplePickerAsync(string label, string? chosen, int[] excluded, CancellationToken cancellationToken)
    {
        var people = await db.People.AsNoTracking().Where(p => p.Status == PersonStatus.Active && !excluded.Contains(p.Id))
            .OrderBy(p => p.Name).ThenBy(p => p.Id).Take(ReplyInput.MaxListedOptions + 1).Select(p => new { p.Email, p.Name, p.Title }).ToListAsync(cancellationToken);
        var search = people.Count > ReplyInput.MaxListedOptions;
        var options = search
            ? await db.People.AsNoTracking().Where(p => p.Email == chosen).Select(p => ActivePeopleChoices.Option(p.Email, p.Name, p.Title)).ToListAsync(cancellationToken)
            : [.. people.Select(p => ActivePeopleChoices.Option(p.Email, p.Name, p.Title))];
        return new ReplyInput(PersonInput, label, InputKind.Choice)
        {
            Required = true, Value = chosen, Options = options, Dataset = search ? ActivePeopleChoices.Name : null,
            Placeholder = search ? "Type a name or email" : null,
        };
    }

    private async Task<Reply> EscalateAskAsync(long itemId, Person person, TurnAction action, int page, ReviewFilter filter, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string>();
        var (target, unknown) = await reviews.FindPersonAsync(action.Get(PersonInput), cancellationToken);
        var item = await db.Set<AccessReviewItem>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == itemId, cancellationToken);
        if (unknown is not null)
        {
            errors[PersonInput] = unknown;
        }
        else if (item is not null && target is not null && item.EscalationRefusal(person, target) is { } refusal)
        {
            errors[PersonInput] = refusal;
        }

        var question = action.Get(QuestionInput);
        if (question is null)
        {
            errors[QuestionInput] = "Write the question you want answered.";
        }
        else if (question.Length > AccessReviewEscalation.MaxTextLength)
        {
            errors[QuestionInput] = $"Keep the question under {AccessReviewEscalation.MaxTextLength} characters.";
        }

        if (errors.Count > 0)
        {
            return await EscalateFormAsync(itemId, person, action, errors, cancellationToken);
        }

        return await AfterAsync(await reviews.EscalateAsync(itemId, target!, question!, Version(action), person, cancellationToken), person, page, cancellationToken, filter);
    }

    /// <summary>
    /// "Who is this?" for an account the import matched to nobody: a person's own (an alias) or a service, external,
    /// shared or not-a-person account with an owner (a mark). Remembered for the system's later reviews.
    /// </summary>
    private async Task<Reply> IdentifyFormAsync(long itemId, Person person, TurnAction action, IReadOnlyDictionary<string, string> errors, CancellationToken cancellationToken)
    {
        if (await IdentifiableAsync(itemId, person, cancellationToken) is not { } item)
        {
            return new Reply("I couldn't find that account any more.");
        }

        if (IdentifyRefusal(item) is { } refusal)
        {
            return new Reply(refusal);
        }

        var system = item.Review!.SystemName;
        return new Reply($"Who is {item.AccountId} ({item.DisplayName})? What you say is remembered for later {system} reviews and goes into the report under your name.")
        {
            UpdatesSource = true,
            Form = new ReplyForm("Who is this account?", IdentifySaveAction, "Save",
            [
                new ReplyInput(KindInput, "The account is", InputKind.Choice) { Required = true, Value = action.Get(KindInput) ?? PersonsOwn, Options = IdentityKinds },
                await PeoplePickerAsync("Whose it is (for a shared, service or external account: its owner)", action.Get(PersonInput), [], cancellationToken),
                new ReplyInput(NoteInput, "Note") { Value = action.Get(NoteInput), Placeholder = "e.g. deploy user of the platform team" },
            ])
            {
                Data = Data(("item", itemId), ("page", action.Get("page") ?? "1"), ("review", action.Get("review") ?? ""), (ReviewFilter.DataKey, action.Get(ReviewFilter.DataKey) ?? "")),
                Errors = errors,
            },
        };
    }

    private async Task<Reply> IdentifySaveAsync(long itemId, Person person, TurnAction action, int page, ReviewFilter filter, CancellationToken cancellationToken)
    {
        if (await IdentifiableAsync(itemId, person, cancellationToken) is not { } item)
        {
            return new Reply("I couldn't find that account any more.");
        }

        if (IdentifyRefusal(item) is { } refusal)
        {
            return await PageReplyAsync(item.ReviewId, person, page, refusal, true, cancellationToken, filter);
        }

        var errors = new Dictionary<string, string>();
        var kindText = action.Get(KindInput) ?? PersonsOwn;
        AccountMarkKind kind = default;
        var personsOwn = kindText == PersonsOwn;
        if (!personsOwn && !AccountMarks.TryParseKind(kindText, out kind))
        {
            errors[KindInput] = "Choose what kind of account it is.";
        }

        var (target, unknown) = string.IsNullOrWhiteSpace(action.Get(PersonInput))
            ? (null, "Choose the person (a name or email from the directory).")
            : await reviews.FindPersonAsync(action.Get(PersonInput), cancellationToken);
        if (unknown is not null)
        {
            errors[PersonInput] = unknown;
        }

        if (errors.Count > 0)
        {
            return await IdentifyFormAsync(itemId, person, action, errors, cancellationToken);
        }

        var system = item.Review!.SystemName;
        string notice;
        try
        {
            if (personsOwn)
            {
                await marks.SetAliasAsync(system, item.AccountId, target!, person.Email, cancellationToken);
                notice = $"{item.AccountId} is {target!.Name}'s: remembered for later {system} reviews.";
                var now = await db.Set<AccessReviewItem>().AsNoTracking().SingleAsync(i => i.Id == itemId, cancellationToken);
                if (now.AssigneeId != person.Id)
                {
                    notice += " It is your own account, so someone else decides it.";
                }
                else if (now.Flags.HasFlag(AccountFlags.Terminated))
                {
                    notice += $" {target.Name} has left, so it is flagged terminated.";
                }
            }
            else
            {
                await marks.MarkAsync(system, item.AccountId, kind, target!, action.Get(NoteInput), person.Email, cancellationToken);
                notice = $"{item.AccountId} is marked {AccountMarks.Describe(kind)}, owned by {target!.Name}: no longer unmatched, and remembered for later {system} reviews.";
            }
        }
        catch (AccessReviewRuleException ex)
        {
            db.ChangeTracker.Clear();
            return await IdentifyFormAsync(itemId, person, action, new Dictionary<string, string> { [PersonInput] = ex.Message }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Decided or re-identified at the same moment: nothing of this attempt is saved; the page shows what stands.
            db.ChangeTracker.Clear();
            notice = $"{item.AccountId} changed at the same moment; look at it again.";
        }

        return await PageReplyAsync(item.ReviewId, person, page, notice, true, cancellationToken, filter);
    }

    /// <summary>The item, if it is with <paramref name="person"/> (only whoever decides an account says who it is).</summary>
    private async Task<AccessReviewItem?> IdentifiableAsync(long itemId, Person person, CancellationToken cancellationToken) =>
        await db.Set<AccessReviewItem>().AsNoTracking().Include(i => i.Review)
            .SingleOrDefaultAsync(i => i.Id == itemId && i.AssigneeId == person.Id, cancellationToken);

    private static string? IdentifyRefusal(AccessReviewItem item) =>
        item.Review!.LockedMessage
        ?? (item.IsDecided ? $"{item.AccountId} is already decided; change the decision first."
        : item.PersonId is not null ? $"{item.AccountId} is already matched to a person ({item.MatchedBy}); a compliance admin can change that." : null);

    private static Reply AnswerForm(long itemId, TurnAction action, string? error)
    {
        var recommendation = Recommendation(action);
        var (title, label, placeholder) = recommendation == AccessDecision.Revoke
            ? ("Recommend revoking", "Why should the account go?", "e.g. the contract ended in October")
            : ("Answer the reviewer", "Your answer", "e.g. this is the CI deploy user; keep it");
        return new Reply("Your answer goes to the reviewer, who decides; it is recorded under your name for the auditor.")
        {
            UpdatesSource = true,
            Form = new ReplyForm(title, AnswerAction, "Send",
                [new ReplyInput(AnswerInput, label, InputKind.MultilineText) { Required = true, Placeholder = placeholder, Value = action.Get(AnswerInput) }])
            {
                Data = Data(("item", itemId), (RecommendationKey, action.Get(RecommendationKey) ?? "")),
                Errors = error is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [AnswerInput] = error },
            },
        };
    }

    private async Task<Reply> QuestionsReplyAsync(Person person, CancellationToken cancellationToken)
    {
        var open = await reviews.OpenQuestionsAsync(person, cancellationToken);
        if (open.Count == 0)
        {
            return new Reply("Nobody is waiting for an answer from you about an access review.") { Title = "Questions for you" };
        }

        return new Reply($"{open.Count} question{(open.Count == 1 ? "" : "s")} about accounts in access reviews are waiting for your answer:")
        {
            Title = "Questions for you",
            Items =
            [
                .. open.Select(q =>
                {
                    var card = AccessReviewService.QuestionReply(q.Review, q.Item, q.AskedBy, q.Question).Items[0];
                    return card with { Text = Cut($"{q.Review.SystemName} {q.Review.Period} · {card.Text} · {q.AskedBy.Name} asks: {q.Question}", 3 * MaxCellLength) };
                }),
            ],
        };
    }

    private static AccessDecision? Recommendation(TurnAction action) => action.Get(RecommendationKey) switch
    {
        "keep" => AccessDecision.Keep,
        "revoke" => AccessDecision.Revoke,
        _ => null,
    };

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
        // Open reviews, and signed-off ones whose deferred accounts (the reviewer's, or the viewer's own to decide) are still open.
        var reviewsForMe = await db.Set<AccessReview>().AsNoTracking()
            .Where(r => (r.Status == AccessReviewStatus.InReview && (r.ReviewerId == person.Id || items.Any(i => i.ReviewId == r.Id && i.AssigneeId == person.Id)))
                || (r.Status == AccessReviewStatus.SignedOff && items.Any(i => i.ReviewId == r.Id && i.Decision == AccessDecision.Deferred && (r.ReviewerId == person.Id || i.AssigneeId == person.Id))))
            .OrderBy(r => r.DueDate)
            .Select(r => new
            {
                r.Id, r.SystemName, r.Period, r.DueDate, r.AccountCount, r.Status, r.FollowUpDue,
                Decided = items.Count(i => i.ReviewId == r.Id && (i.Decision == AccessDecision.Keep || i.Decision == AccessDecision.Revoke)),
                Deferred = items.Count(i => i.ReviewId == r.Id && i.Decision == AccessDecision.Deferred),
            })
            .Take(10).ToListAsync(cancellationToken);
        var revocations = await db.Set<AccessRevocation>().AsNoTracking()
            .Where(r => r.AssigneeId == person.Id && r.ConfirmedAt == null)
            .GroupBy(r => new { r.ReviewId, r.Review!.SystemName, r.Review.Period })
            .Select(g => new { g.Key.ReviewId, g.Key.SystemName, g.Key.Period, Count = g.Count() })
            .OrderBy(g => g.ReviewId)
            .Take(10).ToListAsync(cancellationToken);
        var questions = await db.Set<AccessReviewEscalation>().CountAsync(
            e => e.AskedOfId == person.Id && e.AnsweredAt == null && e.Review!.Status == AccessReviewStatus.InReview && e.Item!.Decision == AccessDecision.Escalated, cancellationToken);
        if (reviewsForMe.Count == 0 && revocations.Count == 0 && questions == 0)
        {
            return new Reply("You have no access reviews, revocations or questions waiting for you.") { Title = "Access reviews" };
        }

        return new Reply("Your access reviews, revocations and questions:")
        {
            Title = "Access reviews",
            Items =
            [
                .. reviewsForMe.Select(r => new ReplyItem(r.Status == AccessReviewStatus.SignedOff
                    ? $"{r.SystemName} — {r.Period}: signed off; {r.Deferred} deferred account{(r.Deferred == 1 ? "" : "s")} to decide by {r.FollowUpDue?.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}"
                    : $"{r.SystemName} — {r.Period}: {r.Decided}/{r.AccountCount} decided, due {r.DueDate.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}")
                {
                    Actions = [new ReplyAction(StartAction, "Open", Data(("review", r.Id)), ActionStyle.Primary)],
                }),
                .. revocations.Select(r => new ReplyItem($"{r.SystemName} — {r.Period}: {r.Count} revocation{(r.Count == 1 ? "" : "s")} to confirm")
                {
                    Actions = [new ReplyAction(RevocationsAction, "Show revocations", Data(("review", r.ReviewId)), ActionStyle.Primary)],
                }),
                .. questions == 0 ? Array.Empty<ReplyItem>() :
                [
                    new ReplyItem($"{questions} question{(questions == 1 ? "" : "s")} from reviewers about accounts, waiting for your answer")
                    {
                        Actions = [new ReplyAction(QuestionsAction, "Show questions", Data(), ActionStyle.Primary)],
                    },
                ],
            ],
        };
    }

    private static Guid? Version(TurnAction action) => Guid.TryParseExact(action.Get("v"), "N", out var v) ? v : null;

    private static int? Int(string? value) => int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static long? Long(string? value) => long.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
