using System.Globalization;
using System.Text.Json;
using ComplianceBot.Audit;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using ComplianceBot.Outbox;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.ChangeApprovals;

public sealed record CreateChangeResult(ChangeRequest? Change, IReadOnlyDictionary<string, string> Errors);

public enum DecisionOutcome
{
    Recorded,
    NotFound,
    CommentRequired,
    SegregationOfDuties,
    NotAnApprover,
    AlreadyDecidedByYou,
    ChangeClosed,
}

public sealed record DecisionResult(DecisionOutcome Outcome, ChangeRequest? Change);

/// <summary>
/// Submits changes, routes them to their approvers, records decisions under segregation of duties, and publishes
/// the outcome everywhere (every approver's card, the requester, the pipeline's callback).
/// </summary>
public sealed class ChangeApprovalService(
    ComplianceDbContext db,
    AuditTrail audit,
    OutboxWriter outbox,
    ReminderPlanner reminders,
    IOptions<ChangeApprovalsOptions> options,
    TimeProvider clock,
    ILogger<ChangeApprovalService> logger)
{
    private const int MaxAttempts = 8;

    /// <summary>Outbox topics: approval cards and their updates, the requester's outcome notice, the pipeline's callback.</summary>
    public const string CardTopic = "change.card";
    public const string NoticeTopic = "change.notice";
    public const string CallbackTopic = "change.callback";

    public async Task<CreateChangeResult> CreateAsync(NewChange input, string submittedBy, CancellationToken cancellationToken)
    {
        var errors = input.Validate();
        var requester = await ActivePersonAsync(input.RequesterEmail, NewChange.Fields.RequesterEmail, errors, cancellationToken);
        var author = string.IsNullOrWhiteSpace(input.AuthorEmail) ? null : await ActivePersonAsync(input.AuthorEmail, NewChange.Fields.AuthorEmail, errors, cancellationToken);
        var system = await SystemNameAsync(input.System, errors, cancellationToken);
        if (errors.Count > 0 || requester is null || system is null || !NewChange.TryParseRisk(input.Risk, out var risk))
        {
            return new CreateChangeResult(null, errors);
        }

        var rule = options.Value.RuleFor(risk);
        var excluded = new HashSet<int> { requester.Id };
        if (author is not null)
        {
            excluded.Add(author.Id);
        }

        var approvers = new List<ChangeApprover>();
        Person? manager = null;
        if (rule.Manager)
        {
            manager = await ManagerAsync(requester, excluded, cancellationToken);
            if (manager is null)
            {
                errors[NewChange.Fields.RequesterEmail] = $"{requester.Email} has no active manager in the directory who could approve this change (the author cannot).";
                return new CreateChangeResult(null, errors);
            }

            approvers.Add(new ChangeApprover { PersonId = manager.Id, Person = manager, Roles = ApproverRoles.Manager });
        }

        if (rule.ChangeAdvisory)
        {
            var advisory = (await db.People.Where(p => p.Status == PersonStatus.Active).ToListAsync(cancellationToken))
                .Where(p => p.Has(PersonRoles.ChangeAdvisory) && !excluded.Contains(p.Id)).ToList();
            if (!advisory.Any(p => p.Id != manager?.Id))
            {
                errors[NewChange.Fields.Risk] = $"{risk.ToString().ToLowerInvariant()} risk needs a change-advisory member other than the requester, author and manager, and there is none in the directory.";
                return new CreateChangeResult(null, errors);
            }

            foreach (var member in advisory)
            {
                if (approvers.FirstOrDefault(a => a.PersonId == member.Id) is { } existing)
                {
                    existing.Roles |= ApproverRoles.ChangeAdvisory;
                }
                else
                {
                    approvers.Add(new ChangeApprover { PersonId = member.Id, Person = member, Roles = ApproverRoles.ChangeAdvisory });
                }
            }
        }

        var now = clock.GetUtcNow();
        var settings = options.Value;
        var change = new ChangeRequest
        {
            Title = input.Title!.Trim(),
            Description = input.Description!.Trim(),
            System = system,
            Risk = risk,
            RequesterId = requester.Id,
            Requester = requester,
            AuthorId = author?.Id,
            Author = author,
            Links = string.Join('\n', (input.Links ?? []).Select(l => l.Trim())),
            RollbackPlan = Blank(input.RollbackPlan),
            TestEvidence = Blank(input.TestEvidence),
            PlannedWindow = Blank(input.PlannedWindow),
            CallbackUrl = Blank(input.CallbackUrl),
            SubmittedBy = submittedBy,
            CreatedAt = now,
            RequiresManager = rule.Manager,
            RequiresChangeAdvisory = rule.ChangeAdvisory,
            ApprovedAfterTheFact = rule.AfterTheFact,
            RemindAt = now + TimeSpan.FromHours(rule.AfterTheFact ? settings.EmergencyApprovalHours / 2 : settings.ReminderAfterHours),
            ExpiresAt = now + TimeSpan.FromHours(rule.AfterTheFact ? settings.EmergencyApprovalHours : settings.ExpireAfterHours),
            Approvers = approvers,
        };
        // The audit subject, the cards' keys and the reminders need the id: one transaction of two steps, so the change,
        // its audit event, its cards (outbox) and its reminders commit together or not at all.
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.ChangeRequests.Add(change);
            await db.SaveChangesAsync(cancellationToken);
            RecordSubmitted(change, submittedBy);
            foreach (var approver in approvers)
            {
                outbox.ToPerson(approver.Person!, ChangeCards.For(change, approver.Person!, $"{requester.Name} asks you to approve a {change.Risk.ToString().ToLowerInvariant()} risk change to {change.System}."),
                    $"{change.Subject}:card:{approver.PersonId}", CardTopic, change.Subject, live: true);
            }

            AddReminders(change, manager);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });

        await outbox.DeliverAsync(cancellationToken);
        return new CreateChangeResult(change, errors);
    }

    private void RecordSubmitted(ChangeRequest change, string submittedBy) =>
        audit.Record(submittedBy, "change.submitted", change.Subject, new()
        {
            ["title"] = change.Title,
            ["system"] = change.System,
            ["risk"] = change.Risk.ToString().ToLowerInvariant(),
            ["requester"] = change.Requester!.Email,
            ["author"] = change.Author?.Email,
            ["approvers"] = string.Join(",", change.Approvers.Select(a => a.Person!.Email)),
            ["mayProceed"] = change.MayProceed ? "true" : "false",
        });

    /// <summary>Records <paramref name="actor"/>'s decision. The actor is always the resolved sender of the turn, never data from the card.</summary>
    public async Task<DecisionResult> DecideAsync(int changeId, Person actor, ChangeDecisionKind kind, string? comment, ChannelKind? channel, CancellationToken cancellationToken, MessageRef? source = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var change = await LoadAsync(changeId, cancellationToken);
            if (change is null)
            {
                return new DecisionResult(DecisionOutcome.NotFound, null);
            }

            if (change.IsConflicted(actor.Id))
            {
                await RefuseAsync(change, actor, kind, actor.Id == change.RequesterId ? "requester" : "author", cancellationToken);
                return new DecisionResult(DecisionOutcome.SegregationOfDuties, change);
            }

            if (change.ApproverFor(actor.Id) is null)
            {
                await RefuseAsync(change, actor, kind, "not an approver", cancellationToken);
                return new DecisionResult(DecisionOutcome.NotAnApprover, change);
            }

            if (change.DecisionBy(actor.Id) is not null)
            {
                return new DecisionResult(DecisionOutcome.AlreadyDecidedByYou, change);
            }

            if (!change.IsPending)
            {
                return new DecisionResult(DecisionOutcome.ChangeClosed, change);
            }

            if (kind == ChangeDecisionKind.Reject && string.IsNullOrWhiteSpace(comment))
            {
                return new DecisionResult(DecisionOutcome.CommentRequired, change);
            }

            var now = clock.GetUtcNow();
            change.Record(new ChangeDecision
            {
                ChangeId = change.Id,
                ApproverId = actor.Id,
                Approver = actor,
                Decision = kind,
                Comment = Blank(comment),
                DecidedAt = now,
                Channel = channel,
            }, now);
            audit.Record(actor.Email, kind == ChangeDecisionKind.Approve ? "change.approved_by" : "change.rejected_by", change.Subject, new()
            {
                ["comment"] = Blank(comment),
                ["channel"] = channel?.ToString(),
                ["role"] = change.ApproverFor(actor.Id)!.Roles.ToString(),
            });
            if (!change.IsPending)
            {
                RecordOutcome(change, actor.Email);
            }

            await PublishAsync(change, source, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (attempt < MaxAttempts && (ex is DbUpdateConcurrencyException || ex.IsUniqueViolation()))
            {
                // Someone decided this change between our read and our write: forget our attempt and look again.
                logger.LogDebug("Decision on change {ChangeId} by {Email} raced another; retrying", changeId, actor.Email);
                DetachChangeEntries();
                continue;
            }

            await outbox.DeliverAsync(cancellationToken);
            return new DecisionResult(DecisionOutcome.Recorded, change);
        }
    }

    /// <summary>The requester (or the API) withdraws a pending change.</summary>
    public async Task<DecisionResult> CancelAsync(int changeId, string actor, CancellationToken cancellationToken)
    {
        var change = await LoadAsync(changeId, cancellationToken);
        if (change is null)
        {
            return new DecisionResult(DecisionOutcome.NotFound, null);
        }

        if (!change.IsPending)
        {
            return new DecisionResult(DecisionOutcome.ChangeClosed, change);
        }

        change.Cancel(clock.GetUtcNow());
        RecordOutcome(change, actor);
        await PublishAsync(change, null, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            DetachChangeEntries();
            return new DecisionResult(DecisionOutcome.ChangeClosed, await LoadAsync(changeId, cancellationToken));
        }

        await outbox.DeliverAsync(cancellationToken);
        return new DecisionResult(DecisionOutcome.Recorded, change);
    }

    /// <summary>Expires a change whose deadline passed; false when it was decided meanwhile.</summary>
    public async Task<bool> ExpireAsync(int changeId, CancellationToken cancellationToken)
    {
        var change = await LoadAsync(changeId, cancellationToken);
        var now = clock.GetUtcNow();
        if (change is not { IsPending: true } || change.ExpiresAt > now)
        {
            return false;
        }

        change.Expire(now);
        RecordOutcome(change, "system");
        await PublishAsync(change, null, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            DetachChangeEntries();
            return false;
        }

        await outbox.DeliverAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Puts the change on the owner-loop ladder: each approver is reminded at <see cref="ChangeRequest.RemindAt"/> (in their
    /// working hours); an emergency change is escalated at its deadline to the manager's manager and the compliance channel.
    /// The ladder asks <see cref="ChangeReminderSubject"/> at send time, so a reminder for a decided change is dropped.
    /// </summary>
    private void AddReminders(ChangeRequest change, Person? manager)
    {
        foreach (var approver in change.Approvers)
        {
            reminders.Add(change.Subject, ChangeReminderSubject.ApproverStep(approver.PersonId), ReminderAudience.Owner, approver.PersonId, change.RemindAt);
        }

        if (change.ApprovedAfterTheFact)
        {
            if (manager?.ManagerId is { } above && !change.IsConflicted(above))
            {
                reminders.Add(change.Subject, ChangeReminderSubject.EscalationStep, ReminderAudience.Manager, above, change.ExpiresAt);
            }

            reminders.Add(change.Subject, ChangeReminderSubject.ChannelStep, ReminderAudience.Channel, null, change.ExpiresAt);
        }
    }

    public Task<ChangeRequest?> LoadAsync(int changeId, CancellationToken cancellationToken) =>
        db.ChangeRequests
            .Include(c => c.Requester).Include(c => c.Author)
            .Include(c => c.Approvers).ThenInclude(a => a.Person)
            .Include(c => c.Decisions).ThenInclude(d => d.Approver)
            .AsSplitQuery()
            .SingleOrDefaultAsync(c => c.Id == changeId, cancellationToken);

    /// <summary>Pending changes waiting for <paramref name="person"/>'s decision.</summary>
    public async Task<List<ChangeRequest>> PendingForAsync(Person person, CancellationToken cancellationToken)
    {
        var ids = await db.Set<ChangeApprover>()
            .Where(a => a.PersonId == person.Id)
            .Join(db.ChangeRequests.Where(c => c.Status == ChangeStatus.Pending && c.RequesterId != person.Id && c.AuthorId != person.Id), a => a.ChangeId, c => c.Id, (a, c) => c.Id)
            .Where(id => !db.Set<ChangeDecision>().Any(d => d.ChangeId == id && d.ApproverId == person.Id))
            .OrderBy(id => id)
            .Take(20)
            .ToListAsync(cancellationToken);
        var changes = new List<ChangeRequest>();
        foreach (var id in ids)
        {
            if (await LoadAsync(id, cancellationToken) is { } change)
            {
                changes.Add(change);
            }
        }

        return changes;
    }

    /// <summary>
    /// Adds to the decision's unit of work one update per card (and reminder) about the change, each for its recipient,
    /// except the card the click came from: the turn's own reply replaces that one, so every message gets one update.
    /// Once decided, also the requester's notice and the pipeline's callback. The caller saves, then delivers.
    /// </summary>
    private async Task PublishAsync(ChangeRequest change, MessageRef? source, CancellationToken cancellationToken)
    {
        var people = change.Approvers.Select(a => a.Person!).Append(change.Requester!).DistinctBy(p => p.Id).ToDictionary(p => p.Id);
        await outbox.UpdateLiveAsync(change.Subject, recipient => ChangeCards.For(change, recipient is { } id ? people.GetValueOrDefault(id) : null), source, CardTopic, cancellationToken);
        if (change.IsPending)
        {
            return;
        }

        var outcome = change.Status switch
        {
            ChangeStatus.Approved => $"✅ Your change #{change.Id} was approved.",
            ChangeStatus.Rejected => $"❌ Your change #{change.Id} was rejected.",
            ChangeStatus.Expired => $"⌛ Your change #{change.Id} expired without a decision.",
            _ => $"Your change #{change.Id} was cancelled.",
        };
        outbox.ToPerson(change.Requester!, ChangeCards.For(change, change.Requester, outcome), $"{change.Subject}:outcome", NoticeTopic, change.Subject);
        if (change.CallbackUrl is { } url)
        {
            outbox.ToWebhook(url, JsonSerializer.Serialize(change.AsStatus(), JsonSerializerOptions.Web), $"{change.Subject}:callback", CallbackTopic, change.Subject);
        }
    }

    private void RecordOutcome(ChangeRequest change, string actor) =>
        audit.Record(actor, "change." + ChangeCards.StatusText(change.Status), change.Subject, new()
        {
            ["status"] = ChangeCards.StatusText(change.Status),
            ["decisions"] = string.Join(";", change.Decisions.Select(d => $"{d.Approver?.Email ?? d.ApproverId.ToString(CultureInfo.InvariantCulture)}={d.Decision.ToString().ToLowerInvariant()}")),
        });

    private async Task RefuseAsync(ChangeRequest change, Person actor, ChangeDecisionKind kind, string reason, CancellationToken cancellationToken)
    {
        audit.Record(actor.Email, "change.decision_refused", change.Subject, new()
        {
            ["attempted"] = kind.ToString().ToLowerInvariant(),
            ["reason"] = reason,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Drops our failed attempt from the unit of work but keeps what the turn processor tracks (conversation state).</summary>
    private void DetachChangeEntries()
    {
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is ChangeRequest or ChangeDecision or ChangeApprover or OutboxMessage or AuditEvent).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }

    private async Task<Person?> ActivePersonAsync(string? email, string field, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var normalized = People.EmailAddress.Normalize(email);
        var person = await db.People.SingleOrDefaultAsync(p => p.Email == normalized, cancellationToken);
        if (person is not { IsActive: true })
        {
            errors[field] = $"{field}: no active person with the email '{email.Trim()}' is in the directory.";
            return null;
        }

        return person;
    }

    private async Task<string?> SystemNameAsync(string? name, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var systems = await db.Systems.AsNoTracking().ToListAsync(cancellationToken);
        if (systems.FirstOrDefault(s => s.Matches(name.Trim())) is { } system)
        {
            return system.Name;
        }

        errors[NewChange.Fields.System] = $"system: '{name.Trim()}' is not a known system. Known systems: {string.Join(", ", systems.Select(s => s.Name).Order())}.";
        return null;
    }

    /// <summary>The requester's manager, or the next one up when that manager is excluded (wrote the change) or has left.</summary>
    private async Task<Person?> ManagerAsync(Person requester, HashSet<int> excluded, CancellationToken cancellationToken)
    {
        var seen = new HashSet<int> { requester.Id };
        var managerId = requester.ManagerId;
        while (managerId is { } id && seen.Add(id))
        {
            var manager = await db.People.SingleAsync(p => p.Id == id, cancellationToken);
            if (manager.IsActive && !excluded.Contains(manager.Id))
            {
                return manager;
            }

            managerId = manager.ManagerId;
        }

        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
