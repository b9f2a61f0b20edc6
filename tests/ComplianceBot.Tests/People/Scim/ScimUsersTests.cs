using System.Net;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.People.Scim;

/// <summary>The SCIM endpoint through the real host, with the request bodies Okta and Entra document.</summary>
public sealed class ScimUsersTests : IDisposable
{
    private readonly ScimApplication _app = new();
    private readonly HttpClient _scim;

    public ScimUsersTests() => _scim = _app.CreateScimClient();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task OktaCreatesAUserAndFindsItByUserName()
    {
        var response = await _scim.PostAsync("/scim/v2/Users", ScimApplication.Body(ScimProviderBodies.OktaCreateUser));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/scim+json", response.Content.Headers.ContentType?.MediaType);
        var created = await ScimApplication.JsonAsync(response);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("test.user@okta.local", created.GetProperty("userName").GetString());
        Assert.True(created.GetProperty("active").GetBoolean());
        Assert.Equal("00ujl29u0le5T6Aj10h7", created.GetProperty("externalId").GetString());
        Assert.EndsWith($"/scim/v2/Users/{id}", response.Headers.Location!.ToString());

        var found = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/Users?filter=" + Uri.EscapeDataString("userName eq \"test.user@okta.local\"")));
        Assert.Equal(1, found.GetProperty("totalResults").GetInt32());
        Assert.Equal(id, found.GetProperty("Resources")[0].GetProperty("id").GetString());
        var none = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/Users?filter=" + Uri.EscapeDataString("userName eq \"nobody@okta.local\"")));
        Assert.Equal(0, none.GetProperty("totalResults").GetInt32());
        Assert.Empty(none.GetProperty("Resources").EnumerateArray());

        await using var scope = _app.Scope();
        var person = await BotApplication.Db(scope).People.SingleAsync(p => p.Email == "test.user@okta.local");
        Assert.Equal(("Test User", PersonSource.Scim, PersonStatus.Active), (person.Name, person.Source, person.Status));
    }

    [Fact]
    public async Task OktaCreatingAnExistingUserIsAConflictInScimForm()
    {
        await _scim.PostAsync("/scim/v2/Users", ScimApplication.Body(ScimProviderBodies.OktaCreateUser));

        var again = await _scim.PostAsync("/scim/v2/Users", ScimApplication.Body(ScimProviderBodies.OktaCreateUser));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var error = await ScimApplication.JsonAsync(again);
        Assert.Equal("urn:ietf:params:scim:api:messages:2.0:Error", error.GetProperty("schemas")[0].GetString());
        Assert.Equal("409", error.GetProperty("status").GetString());
        Assert.Equal("uniqueness", error.GetProperty("scimType").GetString());
    }

    [Fact]
    public async Task OktaPagesThroughTheDirectoryInAStableOrder()
    {
        var first = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/Users?startIndex=1&count=2"));
        var second = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/Users?startIndex=3&count=2"));
        var all = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/Users?startIndex=1&count=100"));

        Assert.Equal(2, first.GetProperty("itemsPerPage").GetInt32());
        Assert.Equal(3, second.GetProperty("startIndex").GetInt32());
        var total = all.GetProperty("totalResults").GetInt32();
        Assert.Equal(total, first.GetProperty("totalResults").GetInt32());
        var ids = all.GetProperty("Resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(ids.Take(4), first.GetProperty("Resources").EnumerateArray().Concat(second.GetProperty("Resources").EnumerateArray()).Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task OktaDeactivationMakesALeaverWithAnEndDateAndIsAudited()
    {
        var id = await CreateAsync(ScimProviderBodies.OktaCreateUser);

        var response = await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body(ScimProviderBodies.OktaDeactivateUser));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await ScimApplication.JsonAsync(response)).GetProperty("active").GetBoolean());
        await using var scope = _app.Scope();
        var db = BotApplication.Db(scope);
        var person = await db.People.SingleAsync(p => p.Email == "test.user@okta.local");
        Assert.Equal(PersonStatus.Left, person.Status);
        Assert.Equal(DateOnly.FromDateTime(BotApplication.DefaultNow.UtcDateTime), person.EndDate);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "person.deactivated" && e.Subject == "person:test.user@okta.local" && e.Actor == "scim"));
    }

    [Fact]
    public async Task OktaReplaceUpdatesTheNameAndKeepsThePersonActive()
    {
        var id = await CreateAsync(ScimProviderBodies.OktaCreateUser);

        var response = await _scim.PutAsync($"/scim/v2/Users/{id}", ScimApplication.Body(ScimProviderBodies.OktaReplaceUser(id)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = await ScimApplication.JsonAsync(response);
        Assert.Equal("Another User", user.GetProperty("displayName").GetString());
        Assert.True(user.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task EntraUserNameNeedNotBeTheEmailTheDirectoryUsesTheWorkEmail()
    {
        var id = await CreateAsync(ScimProviderBodies.EntraCreateUser);

        var found = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/Users?filter=" + Uri.EscapeDataString("userName eq \"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1\"")));

        Assert.Equal(id, found.GetProperty("Resources")[0].GetProperty("id").GetString());
        await using var scope = _app.Scope();
        var person = await BotApplication.Db(scope).People.SingleAsync(p => p.Id == int.Parse(id));
        Assert.Equal("test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com", person.Email);
        Assert.Equal("givenName familyName", person.Name);
        Assert.Equal("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", person.ExternalId);
    }

    [Fact]
    public async Task EntraReplacesTheWorkEmailAndFamilyName()
    {
        var id = await CreateAsync(ScimProviderBodies.EntraCreateUser);

        var response = await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body(ScimProviderBodies.EntraUpdateMultiValued));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = await ScimApplication.JsonAsync(response);
        Assert.Equal("updatedemail@microsoft.com", user.GetProperty("emails")[0].GetProperty("value").GetString());
        Assert.Equal("givenName updatedFamilyName", user.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task EntraDisablesWithACapitalisedOpAndTheStringFalse()
    {
        var id = await CreateAsync(ScimProviderBodies.EntraCreateUser);

        var response = await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body(ScimProviderBodies.EntraDisableUser));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var scope = _app.Scope();
        Assert.Equal(PersonStatus.Left, (await BotApplication.Db(scope).People.SingleAsync(p => p.Id == int.Parse(id))).Status);
    }

    [Fact]
    public async Task EntraPathLessReplaceWithDottedKeysRenamesThePerson()
    {
        var id = await CreateAsync(ScimProviderBodies.EntraCreateUser);

        var response = await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body(ScimProviderBodies.EntraReplaceMultipleAttributes));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = await ScimApplication.JsonAsync(response);
        Assert.Equal("Bjfe", user.GetProperty("displayName").GetString());
        Assert.Equal("testmhvaes@test.microsoft.com", user.GetProperty("emails")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task EntraSetsTheManagerByIdAndTheDepartment()
    {
        var managerId = await CreateAsync(ScimProviderBodies.OktaCreateUser);
        var id = await CreateAsync(ScimProviderBodies.EntraCreateUser);

        var response = await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body(ScimProviderBodies.EntraSetManagerAndDepartment(managerId)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var enterprise = (await ScimApplication.JsonAsync(await _scim.GetAsync($"/scim/v2/Users/{id}"))).GetProperty("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
        Assert.Equal(managerId, enterprise.GetProperty("manager").GetProperty("value").GetString());
        Assert.Equal("Human Resources US", enterprise.GetProperty("department").GetString());
        await using var scope = _app.Scope();
        var person = await BotApplication.Db(scope).People.Include(p => p.Manager).SingleAsync(p => p.Id == int.Parse(id));
        Assert.Equal("test.user@okta.local", person.Manager?.Email);
    }

    [Fact]
    public async Task APutWithoutTheEnterpriseExtensionKeepsTheManagerAndARemoveClearsIt()
    {
        var managerId = await CreateAsync(ScimProviderBodies.EntraCreateUser);
        var id = await CreateAsync(ScimProviderBodies.OktaCreateUser);
        await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body(ScimProviderBodies.EntraSetManagerAndDepartment(managerId)));

        await _scim.PutAsync($"/scim/v2/Users/{id}", ScimApplication.Body(ScimProviderBodies.OktaReplaceUser(id)));
        var afterPut = (await ScimApplication.JsonAsync(await _scim.GetAsync($"/scim/v2/Users/{id}"))).GetProperty("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
        await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body("""
            {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations": [{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]}
            """));
        var afterRemove = (await ScimApplication.JsonAsync(await _scim.GetAsync($"/scim/v2/Users/{id}"))).GetProperty("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");

        Assert.Equal(managerId, afterPut.GetProperty("manager").GetProperty("value").GetString());
        Assert.Equal("Human Resources US", afterPut.GetProperty("department").GetString());
        Assert.False(afterRemove.TryGetProperty("manager", out _));
        Assert.Equal("Human Resources US", afterRemove.GetProperty("department").GetString());
    }

    [Fact]
    public async Task DeleteRemovesThePersonAndTheResourceIsGone()
    {
        var id = await CreateAsync(ScimProviderBodies.EntraCreateUser);

        var deleted = await _scim.DeleteAsync($"/scim/v2/Users/{id}");
        var after = await _scim.GetAsync($"/scim/v2/Users/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal("404", (await ScimApplication.JsonAsync(after)).GetProperty("status").GetString());
        await using var scope = _app.Scope();
        Assert.Equal(PersonStatus.Removed, (await BotApplication.Db(scope).People.SingleAsync(p => p.Id == int.Parse(id))).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token")]
    public async Task WithoutTheTokenScimAnswers401InScimForm(string? token)
    {
        var client = _app.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        var response = await client.GetAsync("/scim/v2/Users");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/scim+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("401", (await ScimApplication.JsonAsync(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task BadRequestsAre400WithTheirScimType()
    {
        var malformed = await _scim.PostAsync("/scim/v2/Users", ScimApplication.Body("{\"userName\": "));
        var noUserName = await _scim.PostAsync("/scim/v2/Users", ScimApplication.Body("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"]}"));
        var filter = await _scim.GetAsync("/scim/v2/Users?filter=" + Uri.EscapeDataString("title co \"x\""));
        var id = await CreateAsync(ScimProviderBodies.OktaCreateUser);
        var badOp = await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body("{\"Operations\":[{\"op\":\"move\",\"path\":\"title\"}]}"));
        var badActive = await _scim.PatchAsync($"/scim/v2/Users/{id}", ScimApplication.Body("{\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":\"maybe\"}]}"));

        Assert.Equal("invalidSyntax", await ScimTypeAsync(malformed));
        Assert.Equal("invalidValue", await ScimTypeAsync(noUserName));
        Assert.Equal("invalidFilter", await ScimTypeAsync(filter));
        Assert.Equal("invalidSyntax", await ScimTypeAsync(badOp));
        Assert.Equal("invalidValue", await ScimTypeAsync(badActive));
    }

    [Fact]
    public async Task DiscoveryDescribesPatchFilterAndTheEnterpriseExtension()
    {
        var config = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/ServiceProviderConfig"));
        var types = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/ResourceTypes"));
        var schemas = await ScimApplication.JsonAsync(await _scim.GetAsync("/scim/v2/Schemas"));

        Assert.True(config.GetProperty("patch").GetProperty("supported").GetBoolean());
        Assert.True(config.GetProperty("filter").GetProperty("supported").GetBoolean());
        Assert.Equal("/Users", types.GetProperty("Resources")[0].GetProperty("endpoint").GetString());
        var ids = schemas.GetProperty("Resources").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Contains("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", ids);
    }

    [Fact]
    public async Task APersonTheIdentityProviderOwnsSurvivesAKnowledgeReImport()
    {
        await CreateAsync(ScimProviderBodies.OktaCreateUser);

        var import = await _app.CreateAdminClient().PostAsync("/api/admin/import", null);

        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        await using var scope = _app.Scope();
        Assert.Equal(PersonStatus.Active, (await BotApplication.Db(scope).People.SingleAsync(p => p.Email == "test.user@okta.local")).Status);
    }

    private async Task<string> CreateAsync(string body)
    {
        var response = await _scim.PostAsync("/scim/v2/Users", ScimApplication.Body(body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await ScimApplication.JsonAsync(response)).GetProperty("id").GetString()!;
    }

    private static async Task<string?> ScimTypeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ScimApplication.JsonAsync(response);
        return error.TryGetProperty("scimType", out var type) ? type.GetString() : null;
    }
}
