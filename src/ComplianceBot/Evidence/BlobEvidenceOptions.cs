namespace ComplianceBot.Evidence;

/// <summary>Evidence:Blob: one container of an Azure Storage account, reached by connection string or by Entra ID.</summary>
public sealed class BlobEvidenceOptions
{
    /// <summary>A storage connection string (account key or SAS). Leave empty to sign in with <c>DefaultAzureCredential</c> at <see cref="ServiceUri"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The account's blob endpoint, e.g. https://acmeevidence.blob.core.windows.net, used with <c>DefaultAzureCredential</c>.</summary>
    public Uri? ServiceUri { get; set; }

    public string Container { get; set; } = "evidence";

    /// <summary>Create the container when it does not exist (needs a role that may; turn off where it is provisioned).</summary>
    public bool CreateContainer { get; set; } = true;

    /// <summary>
    /// Days each blob stays immutable (version-level WORM, set in the same request that creates it); 0 = off. Needs a
    /// container with version-level immutability support; readiness fails on a container without it.
    /// </summary>
    public int ImmutabilityDays { get; set; }

    /// <summary>Lock the policy (it can then only be extended, never shortened or removed) instead of leaving it unlocked.</summary>
    public bool LockImmutability { get; set; }
}
