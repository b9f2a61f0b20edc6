namespace ComplianceBot.Export;

/// <summary>
/// Adds a feature's files to the auditor export of a period (attestations, access reviews, change approvals…).
/// Register with <c>services.AddScoped&lt;IExportContributor, MyContributor&gt;()</c>; every file added through
/// <see cref="ExportWriter"/> is listed in manifest.json with its SHA-256.
/// </summary>
public interface IExportContributor
{
    /// <summary>Orders contributors in the archive (lower first); the core program files use 0.</summary>
    int Order => 100;

    Task WriteAsync(ExportWriter export, CancellationToken cancellationToken);
}
