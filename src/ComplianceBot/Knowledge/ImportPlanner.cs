using ComplianceBot.AccessReviews;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Knowledge;

/// <summary>Compares a parsed knowledge folder with the database: the consequences of importing it, before it is imported.</summary>
public sealed class ImportPlanner(ComplianceDbContext db)
{
    public async Task<ImportPlan> PlanAsync(KnowledgeSnapshot snapshot, IReadOnlyDictionary<string, string> reassign, bool dryRun, CancellationToken cancellationToken)
    {
        var controls = await db.Controls.AsNoTracking().Include(c => c.Owner).ToListAsync(cancellationToken);
        var existing = controls.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var listed = snapshot.Controls.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var added = snapshot.Controls.Where(c => !existing.ContainsKey(c.Id)).Select(c => c.Id).ToList();
        var retired = controls.Where(c => !c.Retired && !listed.ContainsKey(c.Id)).Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
        var changed = new List<ControlChange>();
        var moves = new List<OwnerMove>();
        foreach (var entry in snapshot.Controls.Where(c => existing.ContainsKey(c.Id)))
        {
            var control = existing[entry.Id];
            var fields = new List<string>();
            void Compare(string field, bool same)
            {
                if (!same)
                {
                    fields.Add(field);
                }
            }

            Compare("title", control.Title == entry.Title);
            Compare("description", control.Description == entry.Description);
            Compare("owner", control.Owner?.Email == entry.OwnerEmail);
            Compare("frequency", control.Frequency == entry.Frequency);
            Compare("criteria", control.Criteria.SequenceEqual(entry.Criteria));
            Compare("evidence", control.EvidenceRequirements.SequenceEqual(entry.Evidence));
            Compare("attestation", control.AttestationTemplate == entry.Attestation);
            Compare("system", string.Equals(control.SystemName, entry.System, StringComparison.OrdinalIgnoreCase));
            Compare("due_days", control.DueDays == entry.DueDays);
            Compare("retired", !control.Retired);
            if (fields.Count > 0)
            {
                changed.Add(new(entry.Id, fields));
            }

            if (control.Owner is { } owner && owner.Email != entry.OwnerEmail)
            {
                var open = await db.ControlTasks.CountAsync(t => t.ControlId == entry.Id && t.Status == ControlTaskStatus.Open && t.AssigneeId == owner.Id, cancellationToken);
                moves.Add(new(entry.Id, owner.Email, entry.OwnerEmail, open));
            }
        }

        var people = await db.People.AsNoTracking().Where(p => p.Status != PersonStatus.Removed).ToListAsync(cancellationToken);
        var listedPeople = snapshot.People.ToDictionary(p => p.Email, StringComparer.Ordinal);
        var peopleAdded = snapshot.People.Where(p => !people.Any(e => e.Email == p.Email)).Select(p => p.Email).ToList();
        var activeAfter = people.Where(p => p.Source != PersonSource.Yaml && p.IsActive).Select(p => p.Email)
            .Concat(snapshot.People.Where(p => p.Status == PersonStatus.Active).Select(p => p.Email)).ToHashSet(StringComparer.Ordinal);
        var leaving = new List<PersonLeaving>();
        var blockers = new List<string>();
        foreach (var person in people.Where(p => p.IsActive))
        {
            var change = !listedPeople.TryGetValue(person.Email, out var entry) ? person.Source == PersonSource.Yaml ? "removed" : null
                : entry.Status != PersonStatus.Active ? "left" : null;
            if (change is null)
            {
                continue;
            }

            // Tasks of controls whose owner moves away from this person follow the move; the rest need a successor.
            var moving = moves.Where(m => m.From == person.Email).Select(m => m.Control).ToList();
            var tasks = await db.ControlTasks.CountAsync(t => t.AssigneeId == person.Id && t.Status == ControlTaskStatus.Open && !moving.Contains(t.ControlId), cancellationToken);
            var reviews = await db.AccessReviews.CountAsync(r => r.ReviewerId == person.Id && r.Status == AccessReviewStatus.InReview, cancellationToken);
            var items = await db.AccessReviewItems.CountAsync(i => i.AssigneeId == person.Id && i.Decision != AccessDecision.Keep && i.Decision != AccessDecision.Revoke
                && i.Review!.Status == AccessReviewStatus.InReview, cancellationToken);
            var reminders = await db.Reminders.CountAsync(r => r.RecipientId == person.Id && r.Status == ReminderStatus.Pending, cancellationToken);
            var successor = reassign.GetValueOrDefault(person.Email) ?? entry?.Successor;
            var leaver = new PersonLeaving(person.Email, change, tasks, reviews, items, reminders, successor);
            leaving.Add(leaver);
            if (successor is not null && !activeAfter.Contains(successor))
            {
                blockers.Add($"{person.Email} would hand their work to {successor}, who is not an active person after this import.");
            }
            else if (leaver.HoldsWork && successor is null)
            {
                blockers.Add($"{person.Email} is {change} but still holds {Describe(leaver)}. Say who takes it over: successor: <email> on their people.yaml entry, or ?reassign={person.Email}:<new owner's email>");
            }
        }

        var leavingEmails = leaving.Select(l => l.Email).ToHashSet(StringComparer.Ordinal);
        foreach (var control in snapshot.Controls.Where(c => leavingEmails.Contains(c.OwnerEmail)))
        {
            blockers.Add($"{control.Id} would be owned by {control.OwnerEmail}, who is leaving: give it a new owner in controls.yaml.");
        }

        foreach (var unknown in reassign.Keys.Where(k => !leaving.Any(l => l.Email == k)))
        {
            blockers.Add($"reassign names {unknown}, who is not leaving in this import.");
        }

        return new ImportPlan(dryRun, Applied: false, added, retired, changed, moves, peopleAdded, leaving, blockers);
    }

    private static string Describe(PersonLeaving l) => string.Join(", ", new[]
    {
        l.OpenTasks > 0 ? $"{l.OpenTasks} open task(s)" : null,
        l.OpenReviews > 0 ? $"{l.OpenReviews} open access review(s) as reviewer" : null,
        l.UndecidedReviewItems > 0 ? $"{l.UndecidedReviewItems} undecided review item(s)" : null,
    }.Where(s => s is not null));

    /// <summary>Reads "old@x:new@y" pairs (repeated or comma-separated); null when one is malformed.</summary>
    public static Dictionary<string, string>? ParseReassign(IEnumerable<string?> values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var parts = pair.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !EmailAddress.IsPlausible(parts[0]) || !EmailAddress.IsPlausible(parts[1]))
            {
                return null;
            }

            result[EmailAddress.Normalize(parts[0])] = EmailAddress.Normalize(parts[1]);
        }

        return result;
    }
}
