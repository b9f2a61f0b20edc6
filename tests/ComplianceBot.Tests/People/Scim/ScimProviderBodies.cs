namespace ComplianceBot.Tests.People.Scim;

/// <summary>
/// Request bodies exactly as the identity providers' documentation shows them: Okta's "SCIM 2.0 protocol reference"
/// (developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20), Microsoft Entra's "Develop and plan provisioning for
/// a SCIM endpoint" and "Known issues and resolutions with SCIM 2.0 protocol compliance" (learn.microsoft.com).
/// </summary>
public static class ScimProviderBodies
{
    public const string OktaCreateUser = """
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "test.user@okta.local",
            "name": {
                "givenName": "Test",
                "familyName": "User"
            },
            "emails": [{
                "primary": true,
                "value": "test.user@okta.local",
                "type": "work"
            }],
            "displayName": "Test User",
            "locale": "en-US",
            "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [],
            "password": "1mz050nq",
            "active": true
        }
        """;

    /// <summary>Okta's PUT after a profile change; the id is the one our server returned.</summary>
    public static string OktaReplaceUser(string id) => $$"""
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "{{id}}",
            "userName": "test.user@okta.local",
            "name": {
                "givenName": "Another",
                "middleName": "Excited",
                "familyName": "User"
            },
            "emails": [{
                "primary": true,
                "value": "test.user@okta.local",
                "type": "work",
                "display": "test.user@okta.local"
            }],
            "active": true,
            "groups": [],
            "meta": {
                "resourceType": "User"
            }
        }
        """;

    public const string OktaDeactivateUser = """
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{
                "op": "replace",
                "value": {
                    "active": false
                }
            }]
        }
        """;

    public const string EntraCreateUser = """
        {
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
            "active": true,
            "emails": [{
                "primary": true,
                "type": "work",
                "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
            }],
            "meta": {
                "resourceType": "User"
            },
            "name": {
                "formatted": "givenName familyName",
                "familyName": "familyName",
                "givenName": "givenName"
            },
            "roles": []
        }
        """;

    public const string EntraUpdateMultiValued = """
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                    {
                    "op": "Replace",
                    "path": "emails[type eq \"work\"].value",
                    "value": "updatedEmail@microsoft.com"
                    },
                    {
                    "op": "Replace",
                    "path": "name.familyName",
                    "value": "updatedFamilyName"
                    }
            ]
        }
        """;

    /// <summary>Entra's default (without the aadOptscim062020 flag): capitalised op, active as the string "False".</summary>
    public const string EntraDisableUser = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
                {
                    "op": "Replace",
                    "path": "active",
                    "value": "False"
                }
            ]
        }
        """;

    /// <summary>Entra with the aadOptscim062020 flag: one path-less replace whose keys are dotted or URN-qualified.</summary>
    public const string EntraReplaceMultipleAttributes = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
                {
                    "op": "replace",
                    "path": "emails[type eq \"work\"].value",
                    "value": "TestMhvaes@test.microsoft.com"
                },
                {
                    "op": "replace",
                    "value": {
                        "displayName": "Bjfe",
                        "name.givenName": "Kkom",
                        "name.familyName": "Unua",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
                    }
                }
            ]
        }
        """;

    /// <summary>Entra's manager and department mapping: the manager's value is the manager's id on our side.</summary>
    public static string EntraSetManagerAndDepartment(string managerId) => $$"""
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "Add",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                    "value": "{{managerId}}"
                },
                {
                    "op": "Add",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value": "Human Resources US"
                }
            ]
        }
        """;
}
