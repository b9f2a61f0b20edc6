using System.Globalization;
using System.Security.Cryptography;
using ComplianceBot.Controls;
using ComplianceBot.Conversations;
using ComplianceBot.People;
using YamlDotNet.RepresentationModel;

namespace ComplianceBot.Knowledge;

/// <summary>
/// Parses and cross-checks the knowledge folder: criteria front matter, program.yaml, people.yaml, systems.yaml,
/// controls.yaml. Collects every problem before failing, so one run tells the editor everything to fix.
/// </summary>
public static class KnowledgeReader
{
    private static readonly HashSet<string> PersonFields = ["email", "name", "title", "manager", "time_zone", "working_hours", "working_days", "roles", "preferred_channel", "status", "department", "employment", "start_date", "end_date", "successor"];
    private static readonly HashSet<string> SystemFields = ["name", "aliases", "in_scope", "description", "owner", "admin"];
    private static readonly HashSet<string> ControlFields = ["id", "title", "description", "owner", "frequency", "criteria", "system", "evidence", "attestation", "due_days", "evidenced_by", "renamed_from"];

    /// <param name="directoryEmails">
    /// People the directory already holds from the identity provider or an HR export: owners and managers may name them
    /// without a people.yaml entry.
    /// </param>
    public static KnowledgeSnapshot Read(string root, IReadOnlySet<string>? directoryEmails = null)
    {
        var errors = new List<ImportError>();
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string Relative(string path) => Path.Combine("knowledge", Path.GetRelativePath(root, path)).Replace('\\', '/');
        string? Load(string path)
        {
            if (!File.Exists(path))
            {
                errors.Add(new ImportError(Relative(path), 0, "file", "the file is missing", $"create {Relative(path)}"));
                return null;
            }

            var text = File.ReadAllText(path);
            hashes[Relative(path)] = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
            return text;
        }

        var criteria = ReadCriteria(Path.Combine(root, "criteria"), Relative, Load, errors);
        var program = Path.Combine(root, "program");
        var profile = ReadProfile(Relative(Path.Combine(program, "program.yaml")), Load(Path.Combine(program, "program.yaml")), errors);
        var people = ReadPeople(Relative(Path.Combine(program, "people.yaml")), Load(Path.Combine(program, "people.yaml")), errors);
        var systems = ReadSystems(Relative(Path.Combine(program, "systems.yaml")), Load(Path.Combine(program, "systems.yaml")), errors);
        var controls = ReadControls(Relative(Path.Combine(program, "controls.yaml")), Load(Path.Combine(program, "controls.yaml")), errors);

        CrossCheck(criteria, people, systems, controls, directoryEmails ?? new HashSet<string>(), errors);
        if (errors.Count > 0)
        {
            throw new KnowledgeImportException(errors);
        }

        return new KnowledgeSnapshot(profile, criteria, people, systems, controls, hashes);
    }

    private static List<CriterionEntry> ReadCriteria(string folder, Func<string, string> relative, Func<string, string?> load, List<ImportError> errors)
    {
        var result = new List<CriterionEntry>();
        if (!Directory.Exists(folder))
        {
            errors.Add(new ImportError(relative(folder), 0, "folder", "the criteria folder is missing", "add one Markdown file per criterion under knowledge/criteria/"));
            return result;
        }

        foreach (var path in Directory.EnumerateFiles(folder, "*.md").Order(StringComparer.Ordinal))
        {
            var file = relative(path);
            var text = load(path) ?? "";
            if (FrontMatter.Split(text) is not var (yaml, _, offset))
            {
                errors.Add(new ImportError(file, 1, "front matter", "no YAML front matter between '---' lines", "start the file with '---', the fields id/title/category, then '---'"));
                continue;
            }

            var reader = new YamlEntries(file, errors, offset);
            if (reader.LoadMapping(yaml) is not { } node)
            {
                continue;
            }

            var id = reader.Text(node, "id", "front matter");
            var title = reader.Text(node, "title", "front matter");
            var category = reader.Text(node, "category", "front matter");
            if (id is null || title is null || category is null)
            {
                continue;
            }

            if (!string.Equals(Path.GetFileNameWithoutExtension(path), id, StringComparison.Ordinal))
            {
                reader.Error(node.Start.Line, $"criterion {id}", $"the file name does not match id '{id}'", $"rename the file to {id}.md or correct the id");
            }

            result.Add(new CriterionEntry(id, title, category, reader.Text(node, "series", id, required: false), file, reader.LineOf(node)));
        }

        return result;
    }

    private static ProgramProfile ReadProfile(string file, string? text, List<ImportError> errors)
    {
        var reader = new YamlEntries(file, errors);
        if (text is null || reader.LoadMapping(text) is not { } node)
        {
            return ProgramProfile.Empty;
        }

        const string entry = "program";
        DateOnly Date(string key)
        {
            var value = reader.Text(node, key, entry);
            if (value is not null && !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                reader.Error(node.Start.Line, entry, $"'{key}' is not a date", "write it as YYYY-MM-DD");
                return default;
            }

            return value is null ? default : DateOnly.ParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        var (start, end) = (Date("period_start"), Date("period_end"));
        DateOnly? tracking = reader.Text(node, "tracking_start", entry, required: false) is null ? null : Date("tracking_start");
        if (start != default && end != default && end < start)
        {
            reader.Error(node.Start.Line, entry, "'period_end' is before 'period_start'", "give the audit period's first and last day, e.g. period_start: 2026-04-01 and period_end: 2027-03-31");
        }

        if (tracking is { } t && end != default && t > end)
        {
            reader.Error(node.Start.Line, entry, "'tracking_start' is after 'period_end'", "write the day ComplianceBot began tracking this program (on or before the period's end)");
        }

        return new ProgramProfile(
            reader.Text(node, "organisation", entry) ?? "",
            reader.Text(node, "description", entry, required: false),
            reader.Text(node, "report_type", entry) ?? "",
            start,
            end,
            reader.List(node, "categories_in_scope", entry, required: true),
            reader.List(node, "categories_out_of_scope", entry),
            reader.Text(node, "compliance_channel", entry, required: false) ?? "#compliance",
            reader.Text(node, "compliance_contact", entry, required: false) ?? "the compliance team",
            tracking,
            reader.List(node, "aliases", entry));
    }

    private static List<PersonEntry> ReadPeople(string file, string? text, List<ImportError> errors)
    {
        var reader = new YamlEntries(file, errors);
        var result = new List<PersonEntry>();
        if (text is null || reader.LoadMapping(text) is not { } root)
        {
            return result;
        }

        foreach (var node in reader.Sequence(root, "people"))
        {
            var email = reader.Text(node, "email", "person")?.ToLowerInvariant();
            var entry = $"person {email ?? "?"}";
            reader.RejectUnknownFields(node, entry, PersonFields);
            var name = reader.Text(node, "name", entry);
            var timeZone = reader.Text(node, "time_zone", entry, required: false) ?? "UTC";
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            {
                reader.Error(YamlEntries.FieldStart(node, "time_zone"), entry, $"unknown time zone '{timeZone}'", NearMatch.TimeZoneFix(timeZone));
            }

            var (start, end) = (new TimeOnly(9, 0), new TimeOnly(17, 0));
            if (reader.Text(node, "working_hours", entry, required: false) is { } hours)
            {
                var parts = hours.Split('-', StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || !TimeOnly.TryParseExact(parts[0], "HH:mm", out start) || !TimeOnly.TryParseExact(parts[1], "HH:mm", out end) || end <= start)
                {
                    reader.Error(YamlEntries.FieldStart(node, "working_hours"), entry, $"working_hours '{hours}' is not a range like 09:00-17:00", "write \"HH:mm-HH:mm\" with the end after the start");
                }
            }

            var days = WorkDays.None;
            foreach (var day in reader.List(node, "working_days", entry))
            {
                if (Enum.TryParse<WorkDays>(day, ignoreCase: true, out var parsed) && parsed is not WorkDays.None and not WorkDays.Weekdays)
                {
                    days |= parsed;
                }
                else
                {
                    reader.Error(node.Start.Line, entry, $"unknown working day '{day}'", "use Mon, Tue, Wed, Thu, Fri, Sat or Sun");
                }
            }

            var roles = PersonRoles.None;
            foreach (var role in reader.List(node, "roles", entry))
            {
                if (Enum.TryParse<PersonRoles>(role.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) && parsed != PersonRoles.None)
                {
                    roles |= parsed;
                }
                else
                {
                    reader.Error(node.Start.Line, entry, $"unknown role '{role}'", "use compliance_admin, approver, change_advisory, system_owner, system_admin or auditor");
                }
            }

            var channel = Parse(reader, node, "preferred_channel", entry, ChannelKind.Slack, "slack, teams or web");
            var status = Parse(reader, node, "status", entry, PersonStatus.Active, "active or left");
            var employment = Parse(reader, node, "employment", entry, EmploymentType.Employee, "employee or contractor");
            DateOnly? Day(string key)
            {
                if (reader.Text(node, key, entry, required: false) is not { } text)
                {
                    return null;
                }

                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                {
                    return day;
                }

                reader.Error(YamlEntries.FieldStart(node, key), entry, $"{key} '{text}' is not a date", "write it as YYYY-MM-DD");
                return null;
            }

            var (startDate, endDate) = (Day("start_date"), Day("end_date"));
            if (email is not null && name is not null)
            {
                result.Add(new PersonEntry(email, name, reader.Text(node, "title", entry, required: false), reader.Text(node, "manager", entry, required: false)?.ToLowerInvariant(),
                    timeZone, start, end, days == WorkDays.None ? WorkDays.Weekdays : days, roles, channel, status, reader.LineOf(node))
                {
                    Department = reader.Text(node, "department", entry, required: false),
                    Employment = employment,
                    StartDate = startDate,
                    EndDate = endDate,
                    ManagerLine = reader.FieldLine(node, "manager"),
                    Successor = reader.Text(node, "successor", entry, required: false)?.Trim().ToLowerInvariant(),
                    SuccessorLine = reader.FieldLine(node, "successor"),
                });
            }
        }

        return result;
    }

    private static List<SystemEntry> ReadSystems(string file, string? text, List<ImportError> errors)
    {
        var reader = new YamlEntries(file, errors);
        var result = new List<SystemEntry>();
        if (text is null || reader.LoadMapping(text) is not { } root)
        {
            return result;
        }

        foreach (var node in reader.Sequence(root, "systems"))
        {
            var name = reader.Text(node, "name", "system");
            var entry = $"system {name ?? "?"}";
            reader.RejectUnknownFields(node, entry, SystemFields);
            var inScope = reader.Text(node, "in_scope", entry);
            if (inScope is not null && !bool.TryParse(inScope, out _))
            {
                reader.Error(node.Start.Line, entry, $"in_scope '{inScope}' is not true or false", "write in_scope: true or in_scope: false");
            }

            if (name is not null)
            {
                result.Add(new SystemEntry(name, reader.List(node, "aliases", entry), inScope is not null && bool.TryParse(inScope, out var b) && b,
                    reader.Text(node, "description", entry, required: false), reader.Text(node, "owner", entry, required: false)?.ToLowerInvariant(),
                    reader.Text(node, "admin", entry, required: false)?.ToLowerInvariant(), reader.LineOf(node))
                {
                    OwnerLine = reader.FieldLine(node, "owner"),
                    AdminLine = reader.FieldLine(node, "admin"),
                });
            }
        }

        return result;
    }

    private static List<ControlEntry> ReadControls(string file, string? text, List<ImportError> errors)
    {
        var reader = new YamlEntries(file, errors);
        var result = new List<ControlEntry>();
        if (text is null || reader.LoadMapping(text) is not { } root)
        {
            return result;
        }

        foreach (var node in reader.Sequence(root, "controls"))
        {
            var id = reader.Text(node, "id", "control");
            var entry = $"control {id ?? "?"}";
            reader.RejectUnknownFields(node, entry, ControlFields);
            var title = reader.Text(node, "title", entry);
            var description = reader.Text(node, "description", entry);
            var owner = reader.Text(node, "owner", entry)?.ToLowerInvariant();
            var attestation = reader.Text(node, "attestation", entry);
            var frequencyText = reader.Text(node, "frequency", entry);
            ControlFrequency? frequency = null;
            if (frequencyText is not null)
            {
                if (Enum.TryParse<ControlFrequency>(frequencyText, ignoreCase: true, out var parsed))
                {
                    frequency = parsed;
                }
                else
                {
                    reader.Error(YamlEntries.FieldStart(node, "frequency"), entry, $"unknown frequency '{frequencyText}'", "use daily, weekly, monthly, quarterly, semiannual or annual" + NearMatch.DidYouMean(frequencyText, Enum.GetNames<ControlFrequency>().Select(n => n.ToLowerInvariant())));
                }
            }

            int? dueDays = null;
            if (reader.Text(node, "due_days", entry, required: false) is { } due)
            {
                if (int.TryParse(due, CultureInfo.InvariantCulture, out var days) && days is >= 0 and <= 365)
                {
                    dueDays = days;
                }
                else
                {
                    reader.Error(YamlEntries.FieldStart(node, "due_days"), entry, $"due_days '{due}' is not a whole number of days from 0 to 365", "write e.g. due_days: 15");
                }
            }

            var evidencedBy = reader.Text(node, "evidenced_by", entry, required: false)?.ToLowerInvariant();
            if (evidencedBy is not null && !EvidenceFlows.All.Contains(evidencedBy))
            {
                reader.Error(node.Start.Line, entry, $"unknown evidenced_by '{evidencedBy}'", $"use one of: {string.Join(", ", EvidenceFlows.All)} (or leave it out: the control is attested through the plain form)");
            }

            var criteria = reader.List(node, "criteria", entry, required: true);
            if (id is not null && title is not null && description is not null && owner is not null && attestation is not null && frequency is not null)
            {
                result.Add(new ControlEntry(id, title, description, owner, frequency.Value, criteria, reader.Text(node, "system", entry, required: false),
                    reader.List(node, "evidence", entry), attestation, dueDays, reader.LineOf(node), evidencedBy, reader.Text(node, "renamed_from", entry, required: false))
                {
                    OwnerLine = reader.FieldLine(node, "owner"),
                    SystemLine = reader.FieldLine(node, "system"),
                    CriteriaLine = reader.FieldLine(node, "criteria"),
                });
            }
        }

        return result;
    }

    private static void CrossCheck(List<CriterionEntry> criteria, List<PersonEntry> people, List<SystemEntry> systems, List<ControlEntry> controls, IReadOnlySet<string> directoryEmails, List<ImportError> errors)
    {
        const string peopleFile = "knowledge/program/people.yaml";
        const string systemsFile = "knowledge/program/systems.yaml";
        const string controlsFile = "knowledge/program/controls.yaml";

        foreach (var duplicate in criteria.GroupBy(c => c.Id).Where(g => g.Count() > 1))
        {
            errors.Add(new ImportError(duplicate.Last().SourcePath, duplicate.Last().Line, $"criterion {duplicate.Key}", $"criterion id '{duplicate.Key}' appears in more than one file", "keep one file per criterion"));
        }

        foreach (var duplicate in people.GroupBy(p => p.Email).Where(g => g.Count() > 1))
        {
            errors.Add(new ImportError(peopleFile, duplicate.Last().Line, $"person {duplicate.Key}", $"email '{duplicate.Key}' is listed more than once", "merge the entries into one"));
        }

        var emails = people.Select(p => p.Email).Concat(directoryEmails).ToHashSet(StringComparer.Ordinal);
        foreach (var person in people.Where(p => p.ManagerEmail is not null && !emails.Contains(p.ManagerEmail)))
        {
            errors.Add(new ImportError(peopleFile, person.ManagerLine, $"person {person.Email}", $"unknown manager '{person.ManagerEmail}'", "use the email of a person in the directory (people.yaml or the identity provider), or remove the manager" + NearMatch.DidYouMean(person.ManagerEmail!, emails)));
        }

        // successor: who takes over a leaver's open work on re-import; it must name someone who stays.
        var staying = people.Where(p => p.Status == PersonStatus.Active).Select(p => p.Email).Concat(directoryEmails).ToHashSet(StringComparer.Ordinal);
        foreach (var person in people.Where(p => p.Successor is not null))
        {
            if (person.Successor == person.Email)
            {
                errors.Add(new ImportError(peopleFile, person.SuccessorLine, $"person {person.Email}", "successor is the person themselves", "name the colleague who takes over their open work"));
            }
            else if (!emails.Contains(person.Successor!))
            {
                errors.Add(new ImportError(peopleFile, person.SuccessorLine, $"person {person.Email}", $"unknown successor '{person.Successor}'", "use the email of an active person in the directory" + NearMatch.DidYouMean(person.Successor!, emails)));
            }
            else if (!staying.Contains(person.Successor!))
            {
                errors.Add(new ImportError(peopleFile, person.SuccessorLine, $"person {person.Email}", $"successor '{person.Successor}' is not active", "hand the work to someone who stays"));
            }
        }

        var managers = people.Where(p => p.ManagerEmail is not null).GroupBy(p => p.Email).ToDictionary(g => g.Key, g => g.First().ManagerEmail!);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var person in people)
        {
            var chain = new List<string> { person.Email };
            for (var current = person.Email; managers.TryGetValue(current, out var manager);)
            {
                if (chain.Contains(manager))
                {
                    var cycle = chain.SkipWhile(e => e != manager).Append(manager).ToList();
                    if (reported.Add(string.Join(",", cycle.Distinct().Order())))
                    {
                        errors.Add(new ImportError(peopleFile, person.Line, $"person {person.Email}", $"manager cycle: {string.Join(" -> ", cycle)}", "change one of these managers so the chain ends at someone without a manager"));
                    }

                    break;
                }

                chain.Add(manager);
                current = manager;
            }
        }

        foreach (var system in systems)
        {
            foreach (var (role, email, line) in new[] { ("owner", system.OwnerEmail, system.OwnerLine), ("admin", system.AdminEmail, system.AdminLine) })
            {
                if (email is not null && !emails.Contains(email))
                {
                    errors.Add(new ImportError(systemsFile, line, $"system {system.Name}", $"unknown {role} '{email}'", "use the email of a person in the directory (people.yaml or the identity provider)" + NearMatch.DidYouMean(email, emails)));
                }
            }
        }

        foreach (var duplicate in systems.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add(new ImportError(systemsFile, duplicate.Last().Line, $"system {duplicate.Key}", $"system '{duplicate.Key}' is listed more than once", "merge the entries into one"));
        }

        var criterionIds = criteria.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var duplicate in controls.GroupBy(c => c.Id).Where(g => g.Count() > 1))
        {
            errors.Add(new ImportError(controlsFile, duplicate.Last().Line, $"control {duplicate.Key}", $"duplicate control id '{duplicate.Key}' (first at line {duplicate.First().Line})", "give each control its own id"));
        }

        foreach (var control in controls)
        {
            var entry = $"control {control.Id}";
            if (!emails.Contains(control.OwnerEmail))
            {
                errors.Add(new ImportError(controlsFile, control.OwnerLine, entry, $"unknown owner '{control.OwnerEmail}'", "use the email of a person in the directory (people.yaml or the identity provider)" + NearMatch.DidYouMean(control.OwnerEmail, emails)));
            }

            if (control.Criteria.Count == 0)
            {
                errors.Add(new ImportError(controlsFile, control.Line, entry, "no criteria mapped", "list at least one criterion id, e.g. criteria: [CC6.1]"));
            }

            foreach (var id in control.Criteria.Where(id => !criterionIds.Contains(id)))
            {
                errors.Add(new ImportError(controlsFile, control.CriteriaLine, entry, $"unknown criterion '{id}'", "use a criterion id that has a file in knowledge/criteria/ (e.g. CC6.1)" + NearMatch.DidYouMean(id, criterionIds)));
            }

            if (control.System is not null && !systems.Any(s => string.Equals(s.Name, control.System, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(new ImportError(controlsFile, control.SystemLine, entry, $"unknown system '{control.System}'", "use a system name from systems.yaml" + NearMatch.DidYouMean(control.System, systems.SelectMany(s => s.Aliases.Prepend(s.Name)))));
            }

            if (control.EvidencedBy is { } flow && EvidenceFlows.NeedsSystem(flow) && control.System is null)
            {
                errors.Add(new ImportError(controlsFile, control.Line, entry, $"evidenced_by: {flow} needs the system it reviews", "add 'system: <name from systems.yaml>' to this control"));
            }

            if (control.RenamedFrom is { } old && (old == control.Id || controls.Any(c => c.Id == old)))
            {
                errors.Add(new ImportError(controlsFile, control.Line, entry, $"renamed_from '{old}' is still listed as a control", "remove the old entry: renamed_from moves its history to this id"));
            }
        }

        foreach (var duplicate in controls.Where(c => c.RenamedFrom is not null).GroupBy(c => c.RenamedFrom).Where(g => g.Count() > 1))
        {
            errors.Add(new ImportError(controlsFile, duplicate.Last().Line, $"control {duplicate.Last().Id}", $"more than one control is renamed_from '{duplicate.Key}'", "a control's history moves to one new id only"));
        }
    }

    private static T Parse<T>(YamlEntries reader, YamlMappingNode node, string key, string entry, T fallback, string allowed) where T : struct, Enum
    {
        var text = reader.Text(node, key, entry, required: false);
        if (text is null)
        {
            return fallback;
        }

        if (Enum.TryParse<T>(text, ignoreCase: true, out var value))
        {
            return value;
        }

        reader.Error(YamlEntries.FieldStart(node, key), entry, $"unknown {key} '{text}'", $"use {allowed}");
        return fallback;
    }
}
