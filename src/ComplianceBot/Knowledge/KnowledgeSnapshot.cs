using ComplianceBot.Controls;
using ComplianceBot.Conversations;
using ComplianceBot.People;

namespace ComplianceBot.Knowledge;

/// <summary>Organisation-wide facts from knowledge/program/program.yaml.</summary>
public sealed record ProgramProfile(
    string Organisation,
    string? Description,
    string ReportType,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    IReadOnlyList<string> CategoriesInScope,
    IReadOnlyList<string> CategoriesOutOfScope,
    string ComplianceChannel,
    string ComplianceContact,
    DateOnly? TrackingStart = null,
    IReadOnlyList<string>? OrganisationAliases = null)
{
    /// <summary>The organisation's name and the other names people use for it ("Acme Cloud", "Acme"), longest first.</summary>
    public IReadOnlyList<string> OrganisationNames =>
        [.. (OrganisationAliases ?? []).Prepend(Organisation).Where(n => n.Trim().Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(n => n.Length)];

    public static ProgramProfile Empty { get; } = new("", null, "", default, default, [], [], "#compliance", "the compliance team");

    /// <summary>
    /// The first day occurrences are tracked: the later of the audit period's start and when tracking began. Periods
    /// ending before it are "before tracking", never missed. Null before the first import.
    /// </summary>
    public DateOnly? OccurrencesFrom => PeriodStart == default ? null : TrackingStart is { } tracking && tracking > PeriodStart ? tracking : PeriodStart;
}

public sealed record CriterionEntry(string Id, string Title, string Category, string? Series, string SourcePath, long Line);

public sealed record PersonEntry(
    string Email, string Name, string? Title, string? ManagerEmail, string TimeZone, TimeOnly WorkStart, TimeOnly WorkEnd,
    WorkDays WorkDays, PersonRoles Roles, ChannelKind PreferredChannel, PersonStatus Status, long Line)
{
    public string? Department { get; init; }
    public EmploymentType Employment { get; init; }
    public DateOnly? StartDate { get; init; }
    public DateOnly? EndDate { get; init; }
    public long ManagerLine { get; init; }

    /// <summary>Who takes over this person's open work when they leave (people.yaml <c>successor:</c>); <c>?reassign=</c> overrides it.</summary>
    public string? Successor { get; init; }

    public long SuccessorLine { get; init; }
}

public sealed record SystemEntry(string Name, IReadOnlyList<string> Aliases, bool InScope, string? Description, string? OwnerEmail, string? AdminEmail, long Line)
{
    public long OwnerLine { get; init; }
    public long AdminLine { get; init; }
}

public sealed record ControlEntry(
    string Id, string Title, string Description, string OwnerEmail, ControlFrequency Frequency, IReadOnlyList<string> Criteria,
    string? System, IReadOnlyList<string> Evidence, string Attestation, int? DueDays, long Line, string? EvidencedBy = null, string? RenamedFrom = null)
{
    public long OwnerLine { get; init; }
    public long SystemLine { get; init; }
    public long CriteriaLine { get; init; }
}

/// <summary>Everything parsed from knowledge/, validated together before anything is written.</summary>
public sealed record KnowledgeSnapshot(
    ProgramProfile Profile,
    IReadOnlyList<CriterionEntry> Criteria,
    IReadOnlyList<PersonEntry> People,
    IReadOnlyList<SystemEntry> Systems,
    IReadOnlyList<ControlEntry> Controls,
    IReadOnlyDictionary<string, string> FileHashes);
