using Azure.Identity;
using Azure.Storage.Blobs;
using ComplianceBot.Operations;

namespace ComplianceBot.Evidence;

/// <summary>Checks the evidence storage settings before the host starts and builds the configured store.</summary>
public static class EvidenceStorageSettings
{
    public static string AllowedStores { get; } = string.Join(", ", Enum.GetNames<EvidenceStoreKind>());

    /// <exception cref="InvalidSettingException">An unknown store, or Azure Blob Storage without a way to reach it.</exception>
    public static EvidenceStoreKind Check(IConfiguration configuration)
    {
        var configured = configuration["Evidence:Store"];
        var kind = EvidenceStoreKind.File;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var name = Enum.GetNames<EvidenceStoreKind>().FirstOrDefault(n => n.Equals(configured.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidSettingException($"Evidence:Store is '{configured}'; allowed values: {AllowedStores}.");
            kind = Enum.Parse<EvidenceStoreKind>(name);
        }

        if (kind != EvidenceStoreKind.AzureBlob)
        {
            return kind;
        }

        var serviceUri = configuration["Evidence:Blob:ServiceUri"];
        if (string.IsNullOrWhiteSpace(configuration["Evidence:Blob:ConnectionString"]) && string.IsNullOrWhiteSpace(serviceUri))
        {
            throw new InvalidSettingException(
                "Evidence:Blob:ConnectionString or Evidence:Blob:ServiceUri is required when Evidence:Store is AzureBlob (ServiceUri, e.g. https://<account>.blob.core.windows.net, signs in with DefaultAzureCredential).");
        }

        if (!string.IsNullOrWhiteSpace(serviceUri) && (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            throw new InvalidSettingException($"Evidence:Blob:ServiceUri is '{serviceUri}'; expected the account's blob endpoint, e.g. https://<account>.blob.core.windows.net.");
        }

        var container = configuration["Evidence:Blob:Container"];
        if (container is not null && !IsContainerName(container))
        {
            throw new InvalidSettingException($"Evidence:Blob:Container is '{container}'; allowed: 3–63 lower-case letters, digits and single hyphens, starting with a letter or digit.");
        }

        return kind;
    }

    /// <summary>The container client for the configured account: connection string first, otherwise Entra ID.</summary>
    public static BlobContainerClient Container(BlobEvidenceOptions options)
    {
        var service = !string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobServiceClient(options.ConnectionString)
            : new BlobServiceClient(options.ServiceUri, new DefaultAzureCredential());
        return service.GetBlobContainerClient(options.Container);
    }

    private static bool IsContainerName(string name) =>
        name.Length is >= 3 and <= 63 && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && !name.Contains("--", StringComparison.Ordinal);
}
