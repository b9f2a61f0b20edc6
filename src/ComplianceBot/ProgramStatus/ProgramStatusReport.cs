namespace ComplianceBot.ProgramStatus;

/// <summary>
/// GET /api/admin/status, the dashboard and the chat "status" card: one record per section so each consumer (the weekly
/// digest too) takes the parts it shows. Occurrence counts cover <see cref="Period"/>; overdue, waiting and delivery
/// problems are as of <see cref="Today"/>.
/// </summary>
public sealed record ProgramStatusReport(
    string Period, DateOnly From, DateOnly To, DateOnly Today, DateTimeOffset GeneratedAt,
    OccurrenceCounts Totals, IReadOnlyList<CategoryStatus> Categories, IReadOnlyList<ControlStatusRow> Controls,
    IReadOnlyList<OverdueOwner> OverdueByOwner, IReadOnlyList<ReviewProgress> AccessReviews, ChangeApprovalStatus Changes, DeliveryHealth Deliveries);
