using System.Text.RegularExpressions;
using ComplianceBot.Ask;

namespace ComplianceBot.Understanding;

/// <summary>
/// The organisation's own words from knowledge/program/: control ids, systems with their aliases, people's names.
/// Built once per knowledge version; the slot extractor and the text normaliser read it.
/// </summary>
public sealed class Lexicon
{
    public static Lexicon Empty { get; } = new([], [], []);

    public Lexicon(IEnumerable<string> controlIds, IEnumerable<(string Canonical, IReadOnlyList<string> Aliases)> systems, IEnumerable<(string Name, string Email)> people)
    {
        ControlIds = controlIds.Select(id => id.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        ControlPrefixes = ControlIds.Select(id => id.Split('-')[0]).ToHashSet(StringComparer.Ordinal);
        SystemNames = systems
            .SelectMany(s => s.Aliases.Append(s.Canonical).Select(alias => (Alias: alias.ToLowerInvariant(), s.Canonical)))
            .DistinctBy(a => a.Alias)
            .OrderByDescending(a => a.Alias.Length)
            .ToDictionary(a => a.Alias, a => a.Canonical, StringComparer.Ordinal);
        var names = new Dictionary<string, (string Email, string Name)>(StringComparer.Ordinal);
        foreach (var (name, email) in people)
        {
            names.TryAdd(name.ToLowerInvariant(), (email, name));
            names.TryAdd(name.Split(' ')[0].ToLowerInvariant(), (email, name));
        }

        PersonNames = names;
        SystemPattern = Alternation(SystemNames.Keys);
        PersonPattern = Alternation(PersonNames.Keys, possessive: true);
    }

    public IReadOnlySet<string> ControlIds { get; }

    public IReadOnlySet<string> ControlPrefixes { get; }

    /// <summary>Lower-case alias (or name) → canonical system name, longest alias first.</summary>
    public IReadOnlyDictionary<string, string> SystemNames { get; }

    /// <summary>Lower-case full name or first name → the person.</summary>
    public IReadOnlyDictionary<string, (string Email, string Name)> PersonNames { get; }

    /// <summary>Matches any system alias as whole words (lower-case text); null when there are none.</summary>
    public Regex? SystemPattern { get; }

    /// <summary>
    /// Matches any person's first or full name as whole words (lower-case text); group 1 is the name, group 2 a possessive
    /// "'s" or the bare "s" people type without the apostrophe ("kevins reminders").
    /// </summary>
    public Regex? PersonPattern { get; }

    public static Lexicon From(KnowledgeCorpus corpus) => new(
        corpus.Controls.Select(c => c.Id),
        corpus.Systems.Select(s => (s.Name, s.Aliases)),
        corpus.People.Select(p => (p.Name, p.Email)));

    private static Regex? Alternation(IEnumerable<string> words, bool possessive = false)
    {
        var ordered = words.OrderByDescending(w => w.Length).Select(Regex.Escape).ToList();
        var suffix = possessive ? "('s|s)?" : "";
        return ordered.Count == 0 ? null : new Regex($@"(?<![\w-])({string.Join('|', ordered)}){suffix}(?![\w-])", RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }
}
