namespace ComplianceBot.Admin;

public sealed class AdminOptions
{
    /// <summary>Bootstrap / break-glass bearer key (role admin). Per-person keys are created with it; empty closes it.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Failed key attempts one client may make per minute before every attempt from it is refused with 429.</summary>
    public int FailedKeyAttemptsPerMinute { get; set; } = 10;

    /// <summary>Outside Development a configured key shorter than this stops the host.</summary>
    public const int MinimumKeyLength = 32;
}
