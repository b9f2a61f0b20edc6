namespace ComplianceBot.ChangeApprovals;

/// <summary>Who must approve a change of one risk level.</summary>
public sealed class ApprovalRule
{
    /// <summary>The requester's manager (or the next manager up when the manager wrote the change).</summary>
    public bool Manager { get; set; } = true;

    /// <summary>One member of the change-advisory group, distinct from the manager.</summary>
    public bool ChangeAdvisory { get; set; }

    /// <summary>The work may go ahead now and be approved within <see cref="ChangeApprovalsOptions.EmergencyApprovalHours"/>.</summary>
    public bool AfterTheFact { get; set; }
}

/// <summary>Section "ChangeApprovals": approval rules per risk, reminder and expiry timing, the integration key.</summary>
public sealed class ChangeApprovalsOptions
{
    /// <summary>Integration bearer key for POST/GET /api/changes (CI/CD); the admin key works too. Empty: admin key only.</summary>
    public string? ApiKey { get; set; }

    public Dictionary<ChangeRisk, ApprovalRule> Rules { get; set; } = new()
    {
        [ChangeRisk.Low] = new(),
        [ChangeRisk.Medium] = new(),
        [ChangeRisk.High] = new() { ChangeAdvisory = true },
        [ChangeRisk.Emergency] = new() { AfterTheFact = true },
    };

    /// <summary>Undecided approvers are reminded this long after the change was submitted.</summary>
    public double ReminderAfterHours { get; set; } = 24;

    /// <summary>An undecided change expires this long after it was submitted.</summary>
    public double ExpireAfterHours { get; set; } = 72;

    /// <summary>An emergency change must be approved within this many hours; reminded halfway, escalated at the deadline.</summary>
    public double EmergencyApprovalHours { get; set; } = 24;

    /// <summary>How often the sweeper looks for reminders, expiries and callback retries.</summary>
    public double SweepMinutes { get; set; } = 1;

    public ApprovalRule RuleFor(ChangeRisk risk) => Rules.TryGetValue(risk, out var rule) ? rule : new ApprovalRule();
}
