namespace ComplianceBot.People.Scim;

/// <summary>The schema URNs of RFC 7643/7644 that this service provider speaks, plus our own extension for dates.</summary>
public static class ScimSchemas
{
    public const string User = "urn:ietf:params:scim:schemas:core:2.0:User";
    public const string EnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    /// <summary>Start and end dates have no standard SCIM attribute; identity providers map them to this extension.</summary>
    public const string Employment = "urn:ietf:params:scim:schemas:extension:compliancebot:2.0:User";

    public const string ListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public const string PatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public const string Error = "urn:ietf:params:scim:api:messages:2.0:Error";
    public const string ServiceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    public const string ResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    public const string Schema = "urn:ietf:params:scim:schemas:core:2.0:Schema";

    public const string ContentType = "application/scim+json";
}
