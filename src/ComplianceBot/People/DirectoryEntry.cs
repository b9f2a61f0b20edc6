namespace ComplianceBot.People;

/// <summary>
/// What an identity source (SCIM, an HR export) says about one person. Null means "not provided": the field keeps its
/// value. A manager is named by email; <see cref="ClearManager"/> removes it.
/// </summary>
public sealed record DirectoryEntry(string Email)
{
    public string? UserName { get; init; }
    public string? Name { get; init; }
    public string? Title { get; init; }
    public string? Department { get; init; }
    public string? ManagerEmail { get; init; }
    public bool ClearManager { get; init; }
    public bool? Active { get; init; }
    public EmploymentType? Employment { get; init; }
    public DateOnly? StartDate { get; init; }
    public DateOnly? EndDate { get; init; }
    public string? ExternalId { get; init; }
}
