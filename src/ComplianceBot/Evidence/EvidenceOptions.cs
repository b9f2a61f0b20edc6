namespace ComplianceBot.Evidence;

public sealed class EvidenceOptions
{
    /// <summary>Largest accepted file; the download stops as soon as it is exceeded.</summary>
    public long MaxBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Accepted extensions (lower case, with the dot). Each must also pass its file-signature check.</summary>
    public string[] AllowedExtensions { get; set; } = [];

    /// <summary>Where evidence bytes live: <c>File</c> (default, one host) or <c>AzureBlob</c> (several hosts).</summary>
    public EvidenceStoreKind Store { get; set; } = EvidenceStoreKind.File;

    /// <summary>Folder for the default file store; relative paths are under the data directory.</summary>
    public string StoragePath { get; set; } = "evidence";

    /// <summary>The Azure Blob Storage account and container when <see cref="Store"/> is <c>AzureBlob</c>.</summary>
    public BlobEvidenceOptions Blob { get; set; } = new();

    /// <summary>How many days before evidence expires its owner is reminded to refresh it.</summary>
    public int RefreshReminderDays { get; set; } = 14;

    public static IReadOnlyList<string> DefaultExtensions { get; } =
        [".pdf", ".png", ".jpg", ".jpeg", ".gif", ".csv", ".txt", ".json", ".md", ".log", ".xlsx", ".docx", ".pptx", ".zip"];

    public IReadOnlyList<string> EffectiveExtensions => AllowedExtensions.Length > 0 ? [.. AllowedExtensions.Select(e => e.ToLowerInvariant())] : DefaultExtensions;
}
