namespace ComplianceBot.Audit;

public sealed class AuditOptions
{
    /// <summary>ECDSA P-256 private key (PKCS#8 PEM) for export signatures and checkpoints; empty: generated into the data folder.</summary>
    public string? SigningKey { get; set; }

    /// <summary>How often the chain head is signed into a checkpoint (when it moved). Every export also signs one.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Turns the periodic checkpoint loop off (tests drive <see cref="AuditCheckpoints"/> directly).</summary>
    public bool CheckpointsEnabled { get; set; } = true;
}
