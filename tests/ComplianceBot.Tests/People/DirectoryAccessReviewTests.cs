using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceBot.Tests.People.Scim;

namespace ComplianceBot.Tests.People;

/// <summary>Access reviews read the directory the identity provider keeps, not only people.yaml.</summary>
public sealed class DirectoryAccessReviewTests
{
    [Fact]
    public async Task OnlyTheDirectorysLeaversAreTerminatedAndUnknownAddressesAreUnmatched()
    {
        await using var app = new ScimApplication();
        var scim = app.CreateScimClient();
        var created = await scim.PostAsync("/scim/v2/Users", ScimApplication.Body(ScimProviderBodies.OktaCreateUser));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var leaver = await scim.PostAsync("/scim/v2/Users", ScimApplication.Body(ScimProviderBodies.EntraCreateUser));
        var leaverId = (await ScimApplication.JsonAsync(leaver)).GetProperty("id").GetString();
        await scim.PatchAsync($"/scim/v2/Users/{leaverId}", ScimApplication.Body(ScimProviderBodies.EntraDisableUser));
        const string csv = """
            account_id,display_name,email,role,last_login
            test-u,Test User,test.user@okta.local,member,2026-11-20
            entra-u,Entra User,Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com,member,2026-11-20
            stranger,Somebody,someone.else@elsewhere.example,member,2026-11-20
            """;

        var admin = app.CreateAdminClient();
        var response = await admin.PostAsync("/api/admin/access-reviews?system=GitHub&period=2026-Q4", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var review = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/access-reviews/{id}");
        var flags = review.GetProperty("items").EnumerateArray().ToDictionary(
            i => i.GetProperty("accountId").GetString()!,
            i => i.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToList());
        Assert.Empty(flags["test-u"]);
        Assert.Equal(["terminated"], flags["entra-u"]);
        Assert.Equal(["unmatched"], flags["stranger"]);
    }
}
