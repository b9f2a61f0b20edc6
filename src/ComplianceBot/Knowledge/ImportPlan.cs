namespace ComplianceBot.Knowledge;

public sealed record ControlChange(string Control, IReadOnlyList<string> Fields);

/// <summary>A control whose owner changes; its open tasks held by the old owner follow, and the new owner is told.</summary>
public sealed record OwnerMove(string Control, string From, string To, int OpenTasks);

/// <summary>
/// Someone people.yaml removes or marks as left, with the open work they still hold and where it goes
/// (<see cref="ReassignTo"/>, from <c>?reassign=old:new</c>); without a successor such a person blocks the import.
/// </summary>
public sealed record PersonLeaving(string Email, string Change, int OpenTasks, int OpenReviews, int UndecidedReviewItems, int PendingReminders, string? ReassignTo)
{
    public bool HoldsWork => OpenTasks + OpenReviews + UndecidedReviewItems > 0;
}

/// <summary>What a re-import would do, computed before anything changes (POST /api/admin/import?dryRun=true).</summary>
public sealed record ImportPlan(
    bool DryRun,
    bool Applied,
    IReadOnlyList<string> ControlsAdded,
    IReadOnlyList<string> ControlsRetired,
    IReadOnlyList<ControlChange> ControlsChanged,
    IReadOnlyList<OwnerMove> OwnersMoved,
    IReadOnlyList<string> PeopleAdded,
    IReadOnlyList<PersonLeaving> PeopleLeaving,
    IReadOnlyList<string> Blockers)
{
    public bool Blocked => Blockers.Count > 0;

    /// <summary>The counts the import applied (null on a dry run or when refused).</summary>
    public ImportSummary? Summary { get; init; }
}
