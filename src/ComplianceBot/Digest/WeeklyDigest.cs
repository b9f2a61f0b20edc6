namespace ComplianceBot.Digest;

/// <summary>
/// What the weekly digest says, for the whole program or one manager's team: what changed in the week up to
/// <see cref="Until"/>, what is overdue now, what is stuck, and the on-time trend. The records below are its parts.
/// </summary>
public sealed record WeeklyDigest(
    DateTimeOffset Since,
    DateTimeOffset Until,
    WeekChanges Changes,
    IReadOnlyList<OverdueOwner> Overdue,
    IReadOnlyList<StuckReview> StuckReviews,
    IReadOnlyList<StuckChange> StuckChanges,
    DeliveryTrouble? Deliveries,
    IReadOnlyList<WeekOnTime> Trend)
{
    public int OverdueCount => Overdue.Sum(o => o.Tasks.Count);

    public bool IsQuiet => Changes.IsEmpty && Overdue.Count == 0 && StuckReviews.Count == 0 && StuckChanges.Count == 0 && Deliveries is not { Total: > 0 };
}

/// <summary>An occurrence named in the digest.</summary>
public sealed record TaskLine(int TaskId, string ControlId, string Period, DateOnly DueDate, string Owner);

public sealed record WeekChanges(
    int Attested,
    int AttestedLate,
    IReadOnlyList<TaskLine> WithExceptions,
    IReadOnlyList<TaskLine> NotPerformed,
    IReadOnlyList<TaskLine> NewlyOverdue,
    int AccountsKept,
    int AccountsRevoked,
    int ReviewsCompleted,
    int ChangesSubmitted,
    int ChangesApproved,
    int ChangesRejected)
{
    public bool IsEmpty => Attested + NewlyOverdue.Count + AccountsKept + AccountsRevoked + ReviewsCompleted + ChangesSubmitted + ChangesApproved + ChangesRejected == 0;
}

/// <summary>One owner's overdue occurrences, oldest first, with the manager the escalation goes to.</summary>
public sealed record OverdueOwner(string Owner, string Email, string? Manager, IReadOnlyList<TaskLine> Tasks);

/// <summary>An open access review nobody has decided anything in for <see cref="IdleDays"/> days.</summary>
public sealed record StuckReview(int Id, string System, string Period, string Reviewer, int Decided, int Total, DateOnly DueDate, int IdleDays);

/// <summary>A change waiting for approval for <see cref="WaitingDays"/> days, and who has not decided yet.</summary>
public sealed record StuckChange(int Id, string Title, string System, int WaitingDays, IReadOnlyList<string> WaitingFor);

/// <summary>Outbox rows that could not be delivered (parked) or may not have arrived (unconfirmed): new this week, and all still open.</summary>
public sealed record DeliveryTrouble(int NewParked, int NewUnconfirmed, int Total, IReadOnlyList<string> Examples);

/// <summary>Occurrences due in the ISO week starting <see cref="Monday"/>, and how many were attested by their due date.</summary>
public sealed record WeekOnTime(DateOnly Monday, int Due, int OnTime)
{
    public double? Rate => Due == 0 ? null : (double)OnTime / Due;
}
