using System.Globalization;
using ComplianceBot.Audit;
using ComplianceBot.Data;
using ComplianceBot.Reminders;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.People;

/// <summary>
/// Applies what an identity source says about a person (SCIM, CSV), with one audit event naming the changed fields.
/// Identity fields only: roles, time zones and working hours stay with people.yaml, which overrides them.
/// The caller saves; pending reminders to someone who stopped being active are dropped at once.
/// </summary>
public sealed class DirectoryWriter(ComplianceDbContext db, AuditTrail audit, ReminderPlanner planner, PersonResolutionCache resolutions, TimeProvider clock)
{
    /// <summary>Finds the person by email or identity-provider login name, including removed ones (a returning person is re-activated, not duplicated).</summary>
    public Task<Person?> FindAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = EmailAddress.Normalize(email);
        return db.People.Include(p => p.Manager).SingleOrDefaultAsync(p => p.Email == normalized, cancellationToken);
    }

    /// <summary>Creates or updates the person; returns the changed field names (empty when nothing changed).</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(Person? person, DirectoryEntry entry, PersonSource source, string actor, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(entry.Email);
        var created = person is null;
        person ??= db.People.Add(new Person { Email = email, Name = entry.Name ?? email, Source = source }).Entity;
        var changed = new List<string>();
        void Set<T>(string field, T current, T? value, Action<T> assign)
        {
            if (value is not null && !EqualityComparer<T>.Default.Equals(current, value))
            {
                assign(value);
                changed.Add(field);
            }
        }

        Set("email", person.Email, email, v => person.Email = v);
        Set("userName", person.UserName, entry.UserName, v => person.UserName = v);
        Set("name", person.Name, entry.Name, v => person.Name = v);
        Set("title", person.Title ?? "", entry.Title, v => person.Title = v is { Length: > 0 } ? v : null);
        Set("department", person.Department ?? "", entry.Department, v => person.Department = v is { Length: > 0 } ? v : null);
        Set("externalId", person.ExternalId, entry.ExternalId, v => person.ExternalId = v);
        if (entry.Employment is { } employment)
        {
            Set("employment", person.Employment, employment, v => person.Employment = v);
        }

        if (entry.StartDate is { } start)
        {
            Set("startDate", person.StartDate, start, v => person.StartDate = v);
        }

        if (entry.EndDate is { } end)
        {
            Set("endDate", person.EndDate, end, v => person.EndDate = v);
        }

        var wasActive = person.IsActive;
        if (entry.Active is { } active)
        {
            var status = active ? PersonStatus.Active : PersonStatus.Left;
            Set("status", person.Status, status, v => person.Status = v);
            if (!active && person.EndDate is null)
            {
                person.EndDate = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
                changed.Add("endDate");
            }
            else if (active && person.EndDate is { } ended && ended <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))
            {
                // Re-hired or re-assigned in the identity provider: the old leaving date no longer describes them.
                person.EndDate = null;
                changed.Add("endDate");
            }
        }

        if (entry.ClearManager && person.ManagerId is not null)
        {
            person.Manager = null;
            person.ManagerId = null;
            changed.Add("manager");
        }
        else if (entry.ManagerEmail is { } managerEmail && !string.Equals(person.Manager?.Email, EmailAddress.Normalize(managerEmail), StringComparison.Ordinal))
        {
            var manager = await FindAsync(managerEmail, cancellationToken);
            if (manager is not null && manager != person)
            {
                person.Manager = manager;
                changed.Add("manager");
            }
        }

        if (!created && changed.Count == 0)
        {
            return changed;
        }

        person.Source = source == PersonSource.Yaml ? person.Source : source;
        var action = created ? "person.provisioned" : !person.IsActive && wasActive ? "person.deactivated" : "person.updated";
        audit.Record(actor, action, $"person:{person.Email}", new()
        {
            ["source"] = source.ToString().ToLowerInvariant(),
            ["fields"] = string.Join(",", created ? ["created", .. changed] : changed),
            ["status"] = person.Status.ToString().ToLowerInvariant(),
            ["endDate"] = person.EndDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
        if (wasActive && !person.IsActive && person.Id != 0)
        {
            await planner.CancelPendingForRecipientAsync(person.Id, cancellationToken);
        }

        resolutions.Clear();
        return created ? ["created", .. changed] : changed;
    }

    /// <summary>Deletes the person from the directory (SCIM DELETE): kept as Removed so history still names them.</summary>
    public async Task RemoveAsync(Person person, string actor, CancellationToken cancellationToken)
    {
        var wasActive = person.IsActive;
        person.Status = PersonStatus.Removed;
        person.EndDate ??= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        audit.Record(actor, "person.removed", $"person:{person.Email}", new() { ["source"] = person.Source.ToString().ToLowerInvariant() });
        if (wasActive)
        {
            await planner.CancelPendingForRecipientAsync(person.Id, cancellationToken);
        }

        resolutions.Clear();
    }
}
