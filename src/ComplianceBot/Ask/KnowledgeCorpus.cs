using System.Text;
using System.Text.RegularExpressions;
using ComplianceBot.Knowledge;
using YamlDotNet.RepresentationModel;

namespace ComplianceBot.Ask;

/// <summary>A control as the Ask flow may show it: owner name and email only, nothing else about the person.</summary>
public sealed record ControlFact(string Id, string Title, string Description, string OwnerName, string OwnerEmail, string Frequency, IReadOnlyList<string> Criteria, string? System);

/// <summary>Everything the Ask flow answers from, parsed from knowledge/: passages, citable documents and program facts.</summary>
public sealed partial class KnowledgeCorpus
{
    public required ProgramProfile Profile { get; init; }
    public required IReadOnlyList<Passage> Passages { get; init; }
    public required IReadOnlyDictionary<string, SourceDocument> Documents { get; init; }
    public required IReadOnlyList<ControlFact> Controls { get; init; }
    public required IReadOnlyList<SystemEntry> Systems { get; init; }

    /// <summary>Names of people in the directory (first names and full names, lower case), to recognise questions about someone.</summary>
    public required IReadOnlySet<string> PeopleNames { get; init; }

    /// <summary>The directory as the knowledge files list it (the front door recognises colleagues by name).</summary>
    public IReadOnlyList<PersonEntry> People { get; init; } = [];

    public IEnumerable<string> CriterionIds => Documents.Values.Where(d => d.Kind == SourceKind.Criterion).Select(d => d.Id);

    /// <summary>Reads knowledge/ (validated by <see cref="KnowledgeReader"/>) and cuts it into passages with stable ids.</summary>
    public static KnowledgeCorpus Load(string root)
    {
        var snapshot = KnowledgeReader.Read(root);
        var passages = new List<Passage>();
        var documents = new Dictionary<string, SourceDocument>(StringComparer.OrdinalIgnoreCase);
        string Relative(string path) => Path.Combine("knowledge", Path.GetRelativePath(root, path)).Replace('\\', '/');

        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "criteria"), "*.md").Order(StringComparer.Ordinal))
        {
            AddMarkdown(file, Relative(file), SourceKind.Criterion, passages, documents);
        }

        var concepts = Path.Combine(root, "concepts");
        if (Directory.Exists(concepts))
        {
            foreach (var file in Directory.EnumerateFiles(concepts, "*.md").Order(StringComparer.Ordinal))
            {
                AddMarkdown(file, Relative(file), SourceKind.Concept, passages, documents);
            }
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "program"), "*.md").Order(StringComparer.Ordinal))
        {
            AddMarkdown(file, Relative(file), SourceKind.Program, passages, documents);
        }

        var profile = snapshot.Profile;
        if (profile.Organisation.Length > 0)
        {
            const string source = "knowledge/program/program.yaml";
            const string id = "program-profile";
            documents[id] = new SourceDocument(id, $"{profile.Organisation} SOC 2 report at a glance", source, SourceKind.Program);
            var text = $"{profile.Organisation}'s SOC 2 report is a SOC 2 {profile.ReportType} report for the review period {profile.PeriodStart:yyyy-MM-dd} to {profile.PeriodEnd:yyyy-MM-dd}. " +
                       $"Trust services categories in scope: {string.Join(", ", profile.CategoriesInScope)}. " +
                       $"Not in scope: {string.Join(", ", profile.CategoriesOutOfScope)} (the report does not cover them). " +
                       $"Compliance contact: {profile.ComplianceContact} ({profile.ComplianceChannel}).";
            passages.Add(new Passage($"{id}#report", id, documents[id].Title, source, SourceKind.Program, "report", text)
            {
                IndexBoost = "scope covers covered cover include included categories category report type period audit window",
            });
        }

        var people = snapshot.People.ToDictionary(p => p.Email, StringComparer.Ordinal);
        var controls = snapshot.Controls.Select(c => new ControlFact(
            c.Id, c.Title, c.Description, people.TryGetValue(c.OwnerEmail, out var owner) ? owner.Name : c.OwnerEmail, c.OwnerEmail,
            c.Frequency.ToString().ToLowerInvariant(), c.Criteria, c.System)).ToList();
        foreach (var control in controls)
        {
            const string source = "knowledge/program/controls.yaml";
            documents[control.Id] = new SourceDocument(control.Id, $"{control.Id} {control.Title}", source, SourceKind.Control) { RelatedCriteria = control.Criteria };
            var text = $"Control {control.Id} ({control.Title}): {control.Description} Owner: {control.OwnerName} ({control.OwnerEmail}). " +
                       $"Frequency: {control.Frequency}. Criteria: {string.Join(", ", control.Criteria)}." +
                       (control.System is null ? "" : $" System: {control.System}.");
            passages.Add(new Passage($"control:{control.Id}", control.Id, $"{control.Id} {control.Title}", source, SourceKind.Control, "control", text)
            {
                IndexBoost = $"control owner owns responsible {control.Title}",
            });
        }

        foreach (var system in snapshot.Systems)
        {
            const string source = "knowledge/program/systems.yaml";
            var id = "system:" + Slug(system.Name);
            documents[id] = new SourceDocument(id, system.Name, source, SourceKind.System);
            var aliases = system.Aliases.Count > 0 ? $" (also called {string.Join(", ", system.Aliases)})" : "";
            var organisation = snapshot.Profile.Organisation.Length > 0 ? snapshot.Profile.Organisation + "'s" : "our";
            var scope = system.InScope ? $"is in scope for {organisation} SOC 2 examination" : $"is NOT in scope (out of scope) for {organisation} SOC 2 examination";
            var owners = system.InScope && system.OwnerEmail is { } ownerEmail && people.TryGetValue(ownerEmail, out var systemOwner)
                ? $" System owner: {systemOwner.Name} ({systemOwner.Email})." : "";
            var text = $"{system.Name}{aliases} {scope}. {system.Description}{owners}";
            passages.Add(new Passage(id, id, system.Name, source, SourceKind.System, system.InScope ? "in scope" : "out of scope", text)
            {
                IndexBoost = $"scope system boundary {string.Join(' ', system.Aliases)}",
            });
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var person in snapshot.People)
        {
            names.Add(person.Name.ToLowerInvariant());
            names.Add(person.Name.Split(' ')[0].ToLowerInvariant());
        }

        return new KnowledgeCorpus
        {
            Profile = snapshot.Profile,
            Passages = passages,
            Documents = documents,
            Controls = controls,
            Systems = snapshot.Systems,
            PeopleNames = names,
            People = snapshot.People,
        };
    }

    private static void AddMarkdown(string path, string source, SourceKind kind, List<Passage> passages, Dictionary<string, SourceDocument> documents)
    {
        var text = File.ReadAllText(path);
        if (FrontMatter.Split(text) is not var (yaml, body, _))
        {
            return;
        }

        var meta = ReadYaml(yaml);
        var id = meta.GetValueOrDefault("id") is { Count: > 0 } ids ? ids[0] : Path.GetFileNameWithoutExtension(path);
        var title = meta.GetValueOrDefault("title") is { Count: > 0 } titles ? titles[0] : id;
        var keywords = meta.GetValueOrDefault("keywords") ?? [];
        var focus = meta.GetValueOrDefault("points_of_focus") ?? [];
        var related = meta.GetValueOrDefault("related_criteria") ?? [];
        var category = meta.GetValueOrDefault("category") is { Count: > 0 } c ? c[0] : null;
        var series = meta.GetValueOrDefault("series") is { Count: > 0 } s ? s[0] : null;
        var document = new SourceDocument(id, title, source, kind) { Category = category, Keywords = keywords, RelatedCriteria = related };
        documents[id] = document;

        var boost = $"{id} {title} {series} {string.Join(' ', keywords)}";
        var sections = SplitSections(body);
        var overview = new StringBuilder($"{id} {title}.");
        if (category is not null)
        {
            overview.Append($" Category: {category}.");
        }

        if (series is not null)
        {
            overview.Append($" Series: {series}.");
        }

        if (focus.Count > 0)
        {
            overview.Append(" Points of focus: ").Append(string.Join("; ", focus)).Append('.');
        }

        passages.Add(new Passage($"{id}#overview", id, title, source, kind, "overview", overview.ToString()) { IndexBoost = boost });
        foreach (var (heading, content) in sections)
        {
            if (string.IsNullOrWhiteSpace(content))
            {
                continue;
            }

            passages.Add(new Passage($"{id}#{Slug(heading)}", id, title, source, kind, heading, content.Trim()) { IndexBoost = boost });
        }
    }

    internal static List<(string Heading, string Content)> SplitSections(string body)
    {
        var sections = new List<(string, string)>();
        string heading = "intro";
        var content = new StringBuilder();
        foreach (var line in body.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal) || line.StartsWith("# ", StringComparison.Ordinal))
            {
                sections.Add((heading, content.ToString()));
                heading = line.TrimStart('#').Trim();
                content.Clear();
            }
            else
            {
                content.AppendLine(line);
            }
        }

        sections.Add((heading, content.ToString()));
        return sections;
    }

    private static Dictionary<string, List<string>> ReadYaml(string yaml)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                return result;
            }

            foreach (var (key, value) in root.Children)
            {
                if (key is not YamlScalarNode { Value: { } name })
                {
                    continue;
                }

                result[name] = value switch
                {
                    YamlScalarNode { Value: { } scalar } when scalar != "null" => [scalar],
                    YamlSequenceNode sequence => [.. sequence.OfType<YamlScalarNode>().Select(n => n.Value ?? "").Where(v => v.Length > 0)],
                    _ => [],
                };
            }
        }
        catch (YamlDotNet.Core.YamlException)
        {
            // A malformed concept file is skipped rather than taking the whole index down; the importer reports criteria errors.
        }

        return result;
    }

    public static string Slug(string text) => SlugPattern().Replace(text.ToLowerInvariant(), "-").Trim('-');

    [GeneratedRegex("[^a-z0-9.]+")]
    private static partial Regex SlugPattern();
}
