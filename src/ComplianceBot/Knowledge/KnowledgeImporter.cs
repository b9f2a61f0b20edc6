using ComplianceBot.Audit;
using ComplianceBot.Controls;
using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Systems;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Knowledge;

public sealed class KnowledgeOptions
{
    /// <summary>The knowledge folder; relative paths resolve against the content root.</summary>
    public string Path { get; set; } = "knowledge";

    public bool ImportOnStartup { get; set; } = true;
}

/// <summary>The organisation profile of the last successful import, for flows that need the compliance channel or period.</summary>
public sealed class ProgramProfileHolder
{
    private volatile ProgramProfile _current = ProgramProfile.Empty;

    public ProgramProfile Current => _current;

    internal void Set(ProgramProfile profile) => _current = profile;
}

public sealed record ImportSummary(int Criteria, int People, int Systems, int Controls, int RetiredControls, int TasksCreated);

/// <summary>
/// Imports knowledge/ into the database in one transaction. Idempotent: re-importing updates people, systems and
/// controls in place and never touches attestations, evidence or audit events; controls that left the files are retired.
/// </summary>
public sealed class KnowledgeImporter(
    ComplianceDbContext db,
    AuditTrail audit,
    TaskGenerator tasks,
    ProgramProfileHolder profile,
    PersonResolutionCache resolutions,
    IOptions<KnowledgeOptions> options,
    IHostEnvironment environment,
    TimeProvider clock)
{
    public string Root => System.IO.Path.GetFullPath(System.IO.Path.Combine(environment.ContentRootPath, options.Value.Path));

    /// <summary>Parses and checks knowledge/ against the directory; throws <see cref="KnowledgeImportException"/> listing every problem.</summary>
    public async Task<KnowledgeSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var directory = await db.People.AsNoTracking().Where(p => p.Source != PersonSource.Yaml && p.Status != PersonStatus.Removed)
            .Select(p => p.Email).ToListAsync(cancellationToken);
        return KnowledgeReader.Read(Root, directory.ToHashSet(StringComparer.Ordinal));
    }

    /// <param name="beforeCommit">Work that must land in the same transaction (handing a leaver's work to a successor).</param>
    public async Task<ImportSummary> ImportAsync(string actor, CancellationToken cancellationToken, KnowledgeSnapshot? read = null, Func<IReadOnlyDictionary<string, Person>, Task>? beforeCommit = null)
    {
        var snapshot = read ?? await ReadAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await UpsertCriteriaAsync(snapshot, cancellationToken);
            var people = await UpsertPeopleAsync(snapshot, cancellationToken);
            await UpsertSystemsAsync(snapshot, people, cancellationToken);
            var retired = await UpsertControlsAsync(snapshot, people, actor, cancellationToken);
            audit.Record(actor, "knowledge.imported", "knowledge", new()
            {
                ["criteria"] = snapshot.Criteria.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["people"] = snapshot.People.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["controls"] = snapshot.Controls.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["files"] = string.Join(";", snapshot.FileHashes.Select(f => $"{f.Key}={f.Value}")),
                // The organisation profile of this import, which a host serving this snapshot after a bad edit reads back.
                ["profile"] = System.Text.Json.JsonSerializer.Serialize(snapshot.Profile),
            });
            await db.SaveChangesAsync(cancellationToken);
            var created = await tasks.GenerateAsync(snapshot.Profile, cancellationToken);
            if (beforeCommit is not null)
            {
                await beforeCommit(people);
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            profile.Set(snapshot.Profile);
            // People may have been removed or changed: turns resolve them from the database again.
            resolutions.Clear();
            return new ImportSummary(snapshot.Criteria.Count, snapshot.People.Count, snapshot.Systems.Count, snapshot.Controls.Count, retired, created);
        });
    }

    private async Task UpsertCriteriaAsync(KnowledgeSnapshot snapshot, CancellationToken cancellationToken)
    {
        var existing = await db.Criteria.ToDictionaryAsync(c => c.Id, cancellationToken);
        foreach (var entry in snapshot.Criteria)
        {
            if (!existing.TryGetValue(entry.Id, out var criterion))
            {
                criterion = new Criterion { Id = entry.Id, Title = entry.Title, Category = entry.Category, SourcePath = entry.SourcePath };
                db.Criteria.Add(criterion);
            }

            (criterion.Title, criterion.Category, criterion.Series, criterion.SourcePath) = (entry.Title, entry.Category, entry.Series, entry.SourcePath);
        }
    }

    private async Task<Dictionary<string, Person>> UpsertPeopleAsync(KnowledgeSnapshot snapshot, CancellationToken cancellationToken)
    {
        var people = await db.People.ToDictionaryAsync(p => p.Email, StringComparer.Ordinal, cancellationToken);
        foreach (var entry in snapshot.People)
        {
            if (!people.TryGetValue(entry.Email, out var person))
            {
                person = new Person { Email = entry.Email, Name = entry.Name };
                db.People.Add(person);
                people[entry.Email] = person;
            }

            // Someone the identity provider or HR export owns: people.yaml overrides what it states (roles, hours,
            // a title or manager it names, a leaving) and leaves the rest to the directory.
            var owned = person.Source != PersonSource.Yaml;
            person.TimeZone = entry.TimeZone;
            person.WorkStart = entry.WorkStart;
            person.WorkEnd = entry.WorkEnd;
            person.WorkDays = entry.WorkDays;
            person.Roles = entry.Roles;
            person.PreferredChannel = entry.PreferredChannel;
            person.Name = owned ? person.Name : entry.Name;
            person.Title = owned ? entry.Title ?? person.Title : entry.Title;
            person.Department = owned ? entry.Department ?? person.Department : entry.Department;
            person.StartDate = owned ? entry.StartDate ?? person.StartDate : entry.StartDate;
            person.EndDate = owned ? entry.EndDate ?? person.EndDate : entry.EndDate;
            person.Employment = owned && entry.Employment == EmploymentType.Employee ? person.Employment : entry.Employment;
            person.Status = owned && entry.Status == PersonStatus.Active ? person.Status : entry.Status;
        }

        // Only the people people.yaml created leave with its entry; the identity provider retires its own.
        var listed = snapshot.People.Select(p => p.Email).ToHashSet(StringComparer.Ordinal);
        foreach (var person in people.Values.Where(p => !listed.Contains(p.Email) && p.Source == PersonSource.Yaml))
        {
            person.Status = PersonStatus.Removed;
        }

        foreach (var entry in snapshot.People)
        {
            var person = people[entry.Email];
            if (person.Source == PersonSource.Yaml || entry.ManagerEmail is not null)
            {
                person.Manager = entry.ManagerEmail is null ? null : people[entry.ManagerEmail];
            }
        }

        return people;
    }

    private async Task UpsertSystemsAsync(KnowledgeSnapshot snapshot, Dictionary<string, Person> people, CancellationToken cancellationToken)
    {
        var systems = await db.Systems.ToDictionaryAsync(s => s.Name, StringComparer.OrdinalIgnoreCase, cancellationToken);
        foreach (var entry in snapshot.Systems)
        {
            if (!systems.TryGetValue(entry.Name, out var system))
            {
                system = new ScopedSystem { Name = entry.Name };
                db.Systems.Add(system);
            }

            system.Aliases = [.. entry.Aliases];
            system.InScope = entry.InScope;
            system.Description = entry.Description;
            system.Owner = entry.OwnerEmail is null ? null : people[entry.OwnerEmail];
            system.Admin = entry.AdminEmail is null ? null : people[entry.AdminEmail];
        }

        var listed = snapshot.Systems.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        db.Systems.RemoveRange(systems.Values.Where(s => !listed.Contains(s.Name)));
    }

    private async Task<int> UpsertControlsAsync(KnowledgeSnapshot snapshot, Dictionary<string, Person> people, string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var controls = await db.Controls.ToDictionaryAsync(c => c.Id, StringComparer.Ordinal, cancellationToken);
        var firstImport = controls.Count == 0;
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in snapshot.Controls)
        {
            var owner = people[entry.OwnerEmail];
            ControlFrequency? previousFrequency;
            if (!controls.TryGetValue(entry.Id, out var control))
            {
                control = new Control { Id = entry.Id, Title = entry.Title, Description = entry.Description, AttestationTemplate = entry.Attestation };
                db.Controls.Add(control);
                controls[entry.Id] = control;
                if (entry.RenamedFrom is { } old && controls.TryGetValue(old, out var predecessor))
                {
                    // A renumbering: the new id continues the old control's schedule and history.
                    control.RenamedFrom = old;
                    control.ScheduleStart = predecessor.ScheduleStart;
                    previousFrequency = predecessor.Frequency;
                    if (!predecessor.Retired)
                    {
                        predecessor.Retire(now, renamedTo: entry.Id);
                        changes[old] = "renamed";
                    }

                    changes[entry.Id] = "renamed";
                }
                else
                {
                    // Occurrences of a control added later begin the day it was added, not when tracking began.
                    control.ScheduleStart = firstImport ? null : today;
                    previousFrequency = null;
                    changes[entry.Id] = "added";
                }
            }
            else
            {
                previousFrequency = control.Frequency;
                if (control.Retired)
                {
                    // Back in the files after a retirement: its schedule restarts today; the gap is not reported as missed.
                    control.Reinstate();
                    control.ScheduleStart = today;
                    changes[entry.Id] = "reinstated";
                }

                if (control.OwnerId != 0 && control.OwnerId != owner.Id && owner.Id != 0)
                {
                    // Occurrences still waiting follow a change of owner; closed ones keep who actually did them.
                    var previousOwner = control.OwnerId;
                    await db.ControlTasks
                        .Where(t => t.ControlId == entry.Id && (t.Status == ControlTaskStatus.Open || t.Status == ControlTaskStatus.Missed) && t.AssigneeId == previousOwner)
                        .ExecuteUpdateAsync(s => s.SetProperty(t => t.AssigneeId, owner.Id), cancellationToken);
                }
            }

            if (previousFrequency is { } before && before != entry.Frequency)
            {
                // The new schedule starts with the period covering the earliest occurrence of the old one still open,
                // so every retired occurrence has a successor.
                var scheduleOf = control.RenamedFrom is { } from && changes.GetValueOrDefault(entry.Id) == "renamed" ? from : entry.Id;
                var earliestOpen = await db.ControlTasks.Where(t => t.ControlId == scheduleOf && t.Status == ControlTaskStatus.Open)
                    .OrderBy(t => t.PeriodEnd).Select(t => (DateOnly?)t.PeriodEnd).FirstOrDefaultAsync(cancellationToken);
                control.ScheduleStart = earliestOpen is { } end && end < today ? end : today;
            }

            control.Title = entry.Title;
            control.Description = entry.Description;
            control.Owner = owner;
            control.Frequency = entry.Frequency;
            control.Criteria = [.. entry.Criteria];
            control.EvidenceRequirements = [.. entry.Evidence];
            control.AttestationTemplate = entry.Attestation;
            control.SystemName = entry.System;
            control.DueDays = entry.DueDays;
            control.EvidencedBy = entry.EvidencedBy;
        }

        var listed = snapshot.Controls.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var retired = controls.Values.Where(c => !listed.Contains(c.Id) && !c.Retired).ToList();
        foreach (var control in retired)
        {
            control.Retire(now);
            changes[control.Id] = "retired";
        }

        await RecordVersionsAsync(controls.Values, people, snapshot, changes, actor, now, cancellationToken);
        return changes.Count(c => c.Value == "retired" || (c.Value == "renamed" && controls[c.Key].Retired));
    }

    /// <summary>Stores a new definition version of every control whose definition differs from its latest one.</summary>
    private async Task RecordVersionsAsync(IEnumerable<Control> controls, Dictionary<string, Person> people, KnowledgeSnapshot snapshot,
        Dictionary<string, string> changes, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var latest = (await db.ControlVersions.AsNoTracking().Select(v => new { v.ControlId, v.Version, v.DefinitionHash }).ToListAsync(cancellationToken))
            .GroupBy(v => v.ControlId).ToDictionary(g => g.Key, g => g.MaxBy(v => v.Version)!, StringComparer.Ordinal);
        var importHash = ControlVersion.Hash(string.Join("\n", snapshot.FileHashes.Select(f => $"{f.Key}={f.Value}")));
        var owners = people.Values.Where(p => p.Id != 0).ToDictionary(p => p.Id, p => p.Email);
        foreach (var control in controls.OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            var definition = ControlVersion.DefinitionOf(control, control.Owner?.Email ?? owners.GetValueOrDefault(control.OwnerId, ""));
            var hash = ControlVersion.Hash(definition);
            var previous = latest.GetValueOrDefault(control.Id);
            if (previous?.DefinitionHash == hash)
            {
                continue;
            }

            db.ControlVersions.Add(new ControlVersion
            {
                ControlId = control.Id,
                Version = (previous?.Version ?? 0) + 1,
                RecordedAt = now,
                Actor = actor,
                Change = changes.GetValueOrDefault(control.Id) ?? (previous is null ? "added" : "changed"),
                ImportHash = importHash,
                Definition = definition,
                DefinitionHash = hash,
            });
        }
    }
}
