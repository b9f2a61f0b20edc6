using System.Globalization;
using ComplianceBot.Ask;
using ComplianceBot.Attestations;
using ComplianceBot.Controls;
using ComplianceBot.Conversations;
using ComplianceBot.Data;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Understanding;

/// <summary>A control as the front door talks about it: the row, and its latest attestation if any.</summary>
public sealed record ControlStatus(Control Control, Attestation? LastAttestation, string? LastPeriod)
{
    public string LastText => LastAttestation is { } a
        ? $"last attested {Outcome(a.Outcome)} on {a.AttestedAt.UtcDateTime.ToString("d MMM", CultureInfo.InvariantCulture)} for {LastPeriod}"
        : "not attested yet this audit period";

    public static string Outcome(AttestationOutcome outcome) => outcome switch
    {
        AttestationOutcome.Performed => "performed",
        AttestationOutcome.PerformedWithExceptions => "performed with exceptions",
        _ => "not performed",
    };
}

/// <summary>Live program data the front door answers from: controls (found by id or by what they are about) and their last attestation.</summary>
public sealed class ProgramFacts(ComplianceDbContext db, KnowledgeIndex index)
{
    public const string ControlsSource = "knowledge/program/controls.yaml";
    public const string SystemsSource = "knowledge/program/systems.yaml";
    public const string ProgramSource = "knowledge/program/program.yaml";

    private static readonly HashSet<string> StopWords =
        ["the", "a", "an", "our", "we", "is", "are", "of", "for", "to", "on", "in", "and", "or", "who", "what", "does", "do", "it", "this", "that",
         "control", "controls", "owns", "own", "owner", "how", "often", "run", "runs", "right", "now", "currently", "all", "any", "my", "me", "i", "with", "at"];

    public KnowledgeCorpus Corpus => index.Current.Corpus;

    /// <summary>The control the message names by id, or else the one whose title and description share the most words with it.</summary>
    public async Task<IReadOnlyList<ControlStatus>> FindControlsAsync(string text, string? controlId, string? system, CancellationToken cancellationToken)
    {
        var controls = await db.Controls.AsNoTracking().Include(c => c.Owner).Where(c => !c.Retired).ToListAsync(cancellationToken);
        List<Control> matches;
        if (controlId is not null)
        {
            matches = [.. controls.Where(c => c.Id == controlId)];
        }
        else
        {
            var words = Words(text);
            var scored = controls.Select(c => (Control: c, Score: Score(c, words, system))).Where(s => s.Score > 0).OrderByDescending(s => s.Score).ToList();
            matches = scored.Count == 0 ? [] : [.. scored.TakeWhile(s => s.Score >= scored[0].Score * 0.75).Take(3).Select(s => s.Control)];
        }

        var result = new List<ControlStatus>();
        foreach (var control in matches)
        {
            var last = await db.Attestations.AsNoTracking().Include(a => a.Task)
                .Where(a => a.Task!.ControlId == control.Id).OrderByDescending(a => a.AttestedAt).ThenByDescending(a => a.Id).FirstOrDefaultAsync(cancellationToken);
            result.Add(new ControlStatus(control, last, last?.Task?.Period));
        }

        return result;
    }

    public static Citation Cite(Control control) => new(control.Id, $"{control.Id} {control.Title}", ControlsSource);

    private static double Score(Control control, HashSet<string> words, string? system)
    {
        var title = Words(control.Title);
        var description = Words(control.Description);
        // The system's own name counts once (as the system), not again as a title word.
        var systemWords = system is null ? [] : Words(system);
        var score = words.Except(systemWords).Sum(w => title.Contains(w) ? 2.0 : description.Contains(w) ? 0.5 : 0);
        if (system is not null && string.Equals(control.SystemName, system, StringComparison.OrdinalIgnoreCase))
        {
            score += 1.5;
        }

        return score >= 1.5 ? score : 0;
    }

    private static HashSet<string> Words(string text) =>
        [.. text.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries).Select(Stem).Where(w => w.Length > 1 && !StopWords.Contains(w))];

    private static readonly char[] Separators = [' ', ',', '.', '?', '!', '-', '(', ')', ':', ';', '/', '\'', '"', '\n'];

    // A crude stem is enough here: "enforced" and "enforcement", "backups" and "backup" meet at their first five letters.
    private static string Stem(string word) => word.Length > 5 ? word[..5] : word;
}
