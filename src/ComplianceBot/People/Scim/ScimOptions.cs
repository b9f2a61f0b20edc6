namespace ComplianceBot.People.Scim;

public sealed class ScimOptions
{
    /// <summary>Bearer token the identity provider presents on /scim/v2; empty closes the endpoint.</summary>
    public string? Token { get; set; }

    /// <summary>Largest page a list request gets, whatever count it asks for (Okta asks for 100).</summary>
    public int MaxResults { get; set; } = 200;
}
