using System.Text.RegularExpressions;
using ComplianceBot.Ask;
using ComplianceBot.Conversations;

namespace ComplianceBot.Understanding;

/// <summary>
/// program.lookup: a fact about our own program answered short and exact from the live data — a control's owner,
/// frequency, last occurrence, evidence; a system's scope and owner; report type, period, categories, subservice
/// organisations, CUECs, the compliance contact — with its citation. Anything else goes to Ask, limited to what it can answer.
/// </summary>
public sealed partial class ProgramLookupHandler(ProgramFacts facts, FlowLookup flows) : IIntentHandler
{
    public IReadOnlyList<string> Labels { get; } = [IntentLabels.ProgramLookup];

    public bool AllowsUnknownUsers => true;

    public async Task<IReadOnlyList<Reply>> HandleAsync(IntentRequest request, CancellationToken cancellationToken)
    {
        var lower = request.Text.ToLowerInvariant();
        var corpus = facts.Corpus;
        var profile = corpus.Profile;
        var program = new Citation("program-profile", $"{profile.Organisation} SOC 2 report at a glance", ProgramFacts.ProgramSource);

        if (request.Slots.System is { } systemName && request.Slots.Control is null && corpus.Systems.FirstOrDefault(s => s.Name == systemName) is { } system &&
            !lower.Contains("control", StringComparison.Ordinal) && (OwnerQuestion().IsMatch(lower) || SystemScopeQuestion().IsMatch(lower)))
        {
            var owner = system.OwnerEmail is { } email && corpus.People.FirstOrDefault(p => p.Email == email) is { } person ? $" System owner: {person.Name} ({person.Email})." : "";
            var scope = system.InScope ? "is in scope" : "is not in scope";
            return [new Reply($"{system.Name} {scope} for {profile.Organisation}'s SOC 2 examination.{owner}")
            {
                Citations = [new Citation("system:" + KnowledgeCorpus.Slug(system.Name), system.Name, ProgramFacts.SystemsSource)],
            }];
        }

        if (request.Slots.Control is not null || ControlQuestion().IsMatch(lower))
        {
            var controls = await facts.FindControlsAsync(request.Text, request.Slots.Control, request.Slots.System, cancellationToken);
            if (controls.Count > 0)
            {
                return [ControlAnswer(controls, lower)];
            }

            if (request.Slots.Control is { } unknown)
            {
                return [new Reply($"I don't know a control {unknown}. Our controls are listed in {ProgramFacts.ControlsSource}; the compliance team ({profile.ComplianceContact}) can help.")];
            }
        }

        if (PeriodQuestion().IsMatch(lower))
        {
            return [new Reply($"Our SOC 2 {profile.ReportType} review period runs from {profile.PeriodStart:d MMM yyyy} to {profile.PeriodEnd:d MMM yyyy}.") { Citations = [program] }];
        }

        if (TypeQuestion().IsMatch(lower))
        {
            return [new Reply($"{profile.Organisation} is getting a SOC 2 {profile.ReportType} report, covering {profile.PeriodStart:d MMM yyyy} to {profile.PeriodEnd:d MMM yyyy}.") { Citations = [program] }];
        }

        if (CategoryQuestion().IsMatch(lower))
        {
            var named = profile.CategoriesOutOfScope.Concat(profile.CategoriesInScope).FirstOrDefault(c => lower.Contains(c.ToLowerInvariant(), StringComparison.Ordinal));
            var lead = named is null ? "" : profile.CategoriesInScope.Contains(named) ? $"Yes: {named} is in scope. " : $"No: {named} is not in scope. ";
            return [new Reply($"{lead}In scope: {string.Join(", ", profile.CategoriesInScope)}. Not in scope: {string.Join(", ", profile.CategoriesOutOfScope)}.") { Citations = [program] }];
        }

        if (ContactQuestion().IsMatch(lower))
        {
            return [new Reply($"The compliance team: {profile.ComplianceContact}, or {profile.ComplianceChannel}.") { Citations = [program] }];
        }

        if (ScopeListQuestion().IsMatch(lower))
        {
            var inScope = corpus.Systems.Where(s => s.InScope).Select(s => s.Name);
            var outOfScope = corpus.Systems.Where(s => !s.InScope).Select(s => s.Name);
            return [new Reply($"In scope: {string.Join(", ", inScope)}. Out of scope: {string.Join(", ", outOfScope)}.")
            {
                Citations = [new Citation("systems", "Systems and scope", ProgramFacts.SystemsSource)],
            }];
        }

        // Subservice organisations, CUECs and anything else from the program files: Ask, grounded and cited.
        return await flows.RunAsync(AskFlow.FlowName, request.Context, cancellationToken);
    }

    private static Reply ControlAnswer(IReadOnlyList<ControlStatus> controls, string lower)
    {
        if (controls.Count > 1)
        {
            return new Reply("Several of our controls fit:")
            {
                Items = [.. controls.Select(c => new ReplyItem($"{c.Control.Id} {c.Control.Title}: owner {c.Control.Owner?.Name}, {c.Control.Frequency.ToString().ToLowerInvariant()}, {c.LastText}."))],
                Citations = [.. controls.Select(c => ProgramFacts.Cite(c.Control))],
            };
        }

        var status = controls[0];
        var control = status.Control;
        var name = $"{control.Id} {control.Title}";
        var owner = control.Owner is { } o ? $"{o.Name} ({o.Email})" : "nobody";
        var frequency = control.Frequency.ToString().ToLowerInvariant();
        var text = lower switch
        {
            _ when OwnerQuestion().IsMatch(lower) => $"{name} is owned by {owner}.",
            _ when FrequencyQuestion().IsMatch(lower) => $"{name} runs {frequency} (owner {owner}).",
            _ when LastQuestion().IsMatch(lower) => $"{name}: {status.LastText} (owner {owner}).",
            _ when EvidenceQuestion().IsMatch(lower) => control.EvidenceRequirements.Count == 0
                ? $"{name} lists no specific evidence; ask its owner, {owner}."
                : $"{name} expects: {string.Join("; ", control.EvidenceRequirements)}.",
            _ when CriteriaQuestion().IsMatch(lower) => $"{name} maps to {string.Join(", ", control.Criteria)}.",
            _ => $"{name}: {control.Description} Owner {owner}, {frequency}; {status.LastText}.",
        };
        return new Reply(text) { Citations = [ProgramFacts.Cite(control)] };
    }

    [GeneratedRegex(@"\b(owns?|owner|ownz|responsible|accountable|who runs|who does|control|controls|controll|frequen|how often|evidence|criteri|attestation statement|require|say we|last|mfa|backup|encrypt|pentest|review)\w*")]
    private static partial Regex ControlQuestion();

    [GeneratedRegex(@"\b(owns?|owner|ownz|responsible|accountable|who runs|who does|in charge)\b")]
    private static partial Regex OwnerQuestion();

    [GeneratedRegex(@"\b(how often|frequen\w*|how frequently|monthly|weekly|quarterly|annual\w*|daily|every)\b")]
    private static partial Regex FrequencyQuestion();

    [GeneratedRegex(@"\b(last|latest|most recent|when did|when was|previous)\b")]
    private static partial Regex LastQuestion();

    [GeneratedRegex(@"\b(evidence|upload|proof|documents?)\b")]
    private static partial Regex EvidenceQuestion();

    [GeneratedRegex(@"\b(criteri\w*|map|maps|mapped|tsc|cc\d)\b")]
    private static partial Regex CriteriaQuestion();

    [GeneratedRegex(@"\b(scope|boundary|covered|cover|audited|auditing|part of|inside|include|included|in the audit|in the report)\b")]
    private static partial Regex SystemScopeQuestion();

    [GeneratedRegex(@"\b(period|window|dates?|start|end|when does)\b")]
    private static partial Regex PeriodQuestion();

    [GeneratedRegex(@"\b(type ?(1|2|i|ii|one|two)|report type|type of report|kind of report)\b")]
    private static partial Regex TypeQuestion();

    [GeneratedRegex(@"\b(categor\w*|privacy|processing integrity|availability|confidentiality|security)\b")]
    private static partial Regex CategoryQuestion();

    [GeneratedRegex(@"\b(contact|channel|who do i (talk|ask|speak)|reach the compliance|compliance team)\b")]
    private static partial Regex ContactQuestion();

    [GeneratedRegex(@"\b(which|what) systems\b|\bsystem boundary\b|\bout of scope\b|\bin scope\b")]
    private static partial Regex ScopeListQuestion();
}
