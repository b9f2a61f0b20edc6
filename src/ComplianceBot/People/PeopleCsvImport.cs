using System.Globalization;
using ComplianceBot.AccessReviews;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.People;

public sealed record PersonChange(string Email, IReadOnlyList<string> Fields);

/// <summary>What an HR export did (or, on a dry run, would do) to the directory.</summary>
public sealed record PeopleImportResult(
    bool DryRun, IReadOnlyList<string> Created, IReadOnlyList<PersonChange> Updated, IReadOnlyList<string> Deactivated, int Unchanged, IReadOnlyList<string> Errors);

/// <summary>
/// Imports an HR export (CSV: email, name, title, manager, department, status, employment, start_date, end_date) into
/// the directory through the same writer as SCIM. All or nothing; a dry run applies it in a transaction that is rolled
/// back, so its answer is exactly what applying would do. People missing from the file are left alone.
/// </summary>
public sealed class PeopleCsvImport(ComplianceDbContext db, DirectoryWriter writer, TimeProvider clock)
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["email"] = "email", ["work_email"] = "email", ["work email"] = "email",
        ["name"] = "name", ["full_name"] = "name", ["full name"] = "name", ["display_name"] = "name",
        ["title"] = "title", ["job_title"] = "title", ["job title"] = "title",
        ["manager"] = "manager", ["manager_email"] = "manager", ["manager email"] = "manager",
        ["department"] = "department", ["status"] = "status",
        ["employment"] = "employment", ["employment_type"] = "employment", ["employee_type"] = "employment", ["worker_type"] = "employment",
        ["start_date"] = "start_date", ["hire_date"] = "start_date", ["start date"] = "start_date",
        ["end_date"] = "end_date", ["termination_date"] = "end_date", ["end date"] = "end_date",
    };

    public async Task<PeopleImportResult> ImportAsync(string csv, bool dryRun, string actor, CancellationToken cancellationToken)
    {
        var (entries, errors) = Parse(csv, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (errors.Count == 0)
        {
            var known = await db.People.AsNoTracking().Where(p => p.Status != PersonStatus.Removed).Select(p => p.Email).ToListAsync(cancellationToken);
            var emails = entries.Select(e => e.Entry.Email).Concat(known).ToHashSet(StringComparer.Ordinal);
            errors.AddRange(entries.Where(e => e.Entry.ManagerEmail is { } m && !emails.Contains(m))
                .Select(e => $"Line {e.Line}: manager '{e.Entry.ManagerEmail}' of {e.Entry.Email} is neither in the file nor in the directory."));
            errors.AddRange(entries.GroupBy(e => e.Entry.Email).Where(g => g.Count() > 1)
                .Select(g => $"Line {g.Last().Line}: {g.Key} is listed more than once (first on line {g.First().Line})."));
        }

        if (errors.Count > 0)
        {
            return new(dryRun, [], [], [], 0, errors);
        }

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var (created, updated, deactivated, unchanged) = (new List<string>(), new List<PersonChange>(), new List<string>(), 0);
            // Two passes: people first, managers once everyone in the file exists.
            foreach (var (_, entry) in entries)
            {
                var person = await writer.FindAsync(entry.Email, cancellationToken);
                var wasActive = person?.IsActive ?? false;
                var changed = await writer.ApplyAsync(person, entry with { ManagerEmail = null }, PersonSource.Csv, actor, cancellationToken);
                if (changed.Contains("created"))
                {
                    created.Add(entry.Email);
                }
                else if (changed.Count == 0)
                {
                    unchanged++;
                }
                else
                {
                    updated.Add(new(entry.Email, changed));
                }

                if (wasActive && entry.Active == false)
                {
                    deactivated.Add(entry.Email);
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            foreach (var (_, entry) in entries.Where(e => e.Entry.ManagerEmail is not null))
            {
                var person = await writer.FindAsync(entry.Email, cancellationToken);
                var changed = await writer.ApplyAsync(person, new DirectoryEntry(entry.Email) { ManagerEmail = entry.ManagerEmail }, PersonSource.Csv, actor, cancellationToken);
                if (changed.Count > 0 && !created.Contains(entry.Email))
                {
                    var index = updated.FindIndex(u => u.Email == entry.Email);
                    updated[index < 0 ? updated.Count : index] = index < 0 ? new(entry.Email, changed) : new(entry.Email, [.. updated[index].Fields, .. changed]);
                    unchanged -= index < 0 ? 1 : 0;
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            if (dryRun)
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }
            else
            {
                await transaction.CommitAsync(cancellationToken);
            }

            return new PeopleImportResult(dryRun, created, updated, deactivated, unchanged, []);
        });
    }

    private static (List<(int Line, DirectoryEntry Entry)> Entries, List<string> Errors) Parse(string csv, DateOnly today)
    {
        var errors = new List<string>();
        var records = AccountCsv.ReadRecords(csv, errors);
        var entries = new List<(int, DirectoryEntry)>();
        if (errors.Count > 0)
        {
            return (entries, errors);
        }

        if (records.Count == 0)
        {
            return (entries, ["The CSV is empty: expected a header line with at least an email column (and name, title, manager, department, status, employment, start_date, end_date)."]);
        }

        var (headerLine, header) = records[0];
        var columns = header.Select(h => Aliases.GetValueOrDefault(h.Trim(), h.Trim().ToLowerInvariant())).ToArray();
        if (!columns.Contains("email"))
        {
            return (entries, [$"Line {headerLine}: the header has no email column (found: {string.Join(", ", header)})."]);
        }

        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            string? Field(string column) => Array.IndexOf(columns, column) is var i and >= 0 && i < fields.Count && fields[i].Trim() is { Length: > 0 } v ? v : null;
            var email = Field("email");
            if (!EmailAddress.IsPlausible(email))
            {
                errors.Add($"Line {line}: '{email}' is not an email address.");
                continue;
            }

            bool? active = Field("status")?.ToLowerInvariant() switch
            {
                null => null,
                "active" or "employed" or "current" => true,
                "left" or "leaver" or "inactive" or "terminated" or "former" => false,
                var other => Invalid<bool?>($"Line {line}: status '{other}' is not active or left."),
            };
            EmploymentType? employment = Field("employment")?.ToLowerInvariant() switch
            {
                null => null,
                "employee" or "full-time" or "full time" or "part-time" or "part time" or "fte" => EmploymentType.Employee,
                "contractor" or "contingent" or "consultant" => EmploymentType.Contractor,
                var other => Invalid<EmploymentType?>($"Line {line}: employment '{other}' is not employee or contractor."),
            };
            var (start, end) = (Date(Field("start_date"), line, "start_date"), Date(Field("end_date"), line, "end_date"));
            var manager = Field("manager");
            if (manager is not null && !EmailAddress.IsPlausible(manager))
            {
                errors.Add($"Line {line}: manager '{manager}' is not an email address.");
            }

            entries.Add((line, new DirectoryEntry(EmailAddress.Normalize(email!))
            {
                Name = Field("name"),
                Title = Field("title"),
                Department = Field("department"),
                ManagerEmail = manager is null ? null : EmailAddress.Normalize(manager),
                // A past end date makes a leaver even when the export's status column lags behind.
                Active = active ?? (end is { } e && e < today ? false : null),
                Employment = employment,
                StartDate = start,
                EndDate = end,
            }));
        }

        return (entries, errors);

        T Invalid<T>(string error)
        {
            errors.Add(error);
            return default!;
        }

        DateOnly? Date(string? text, int line, string column)
        {
            if (text is null)
            {
                return null;
            }

            if (DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyy/MM/dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date;
            }

            errors.Add($"Line {line}: {column} '{text}' is not a date; write YYYY-MM-DD.");
            return null;
        }
    }
}
