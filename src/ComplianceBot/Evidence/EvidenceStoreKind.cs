namespace ComplianceBot.Evidence;

public enum EvidenceStoreKind
{
    File,
    AzureBlob,
}
