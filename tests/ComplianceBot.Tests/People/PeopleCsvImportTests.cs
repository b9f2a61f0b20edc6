using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.People;

public sealed class PeopleCsvImportTests
{
    private const string HrExport = """
        email,name,title,manager,department,status,employment,start_date,end_date
        zoe.hart@acme.example,Zoe Hart,Data Engineer,maria.chen@acme.example,Data,active,employee,2026-09-01,
        kai.lund@acme.example,Kai Lund,Designer,zoe.hart@acme.example,Design,active,contractor,2026-10-15,
        dana.reyes@acme.example,Dana Reyes,,,,left,,,2026-11-20
        """;

    [Fact]
    public async Task ADryRunSaysWhatWouldChangeAndChangesNothing()
    {
        await using var app = new BotApplication();

        var response = await app.CreateAdminClient().PostAsync("/api/admin/people/import?dryRun=true", new StringContent(HrExport, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("dryRun").GetBoolean());
        Assert.Equal(["zoe.hart@acme.example", "kai.lund@acme.example"], result.GetProperty("created").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["dana.reyes@acme.example"], result.GetProperty("deactivated").EnumerateArray().Select(e => e.GetString()));
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.False(await db.People.AnyAsync(p => p.Email == "zoe.hart@acme.example"));
        Assert.Equal(PersonStatus.Active, (await db.People.SingleAsync(p => p.Email == "dana.reyes@acme.example")).Status);
    }

    [Fact]
    public async Task ApplyingCreatesPeopleWithManagersDepartmentsAndLeavers()
    {
        await using var app = new BotApplication();

        var response = await app.CreateAdminClient().PostAsync("/api/admin/people/import?dryRun=false", new StringContent(HrExport, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var kai = await db.People.Include(p => p.Manager).SingleAsync(p => p.Email == "kai.lund@acme.example");
        Assert.Equal(("zoe.hart@acme.example", "Design", EmploymentType.Contractor, new DateOnly(2026, 10, 15), PersonSource.Csv),
            (kai.Manager?.Email, kai.Department, kai.Employment, kai.StartDate, kai.Source));
        var dana = await db.People.SingleAsync(p => p.Email == "dana.reyes@acme.example");
        Assert.Equal((PersonStatus.Left, new DateOnly(2026, 11, 20)), (dana.Status, dana.EndDate));
    }

    [Fact]
    public async Task EveryBadLineIsNamedAndNothingIsImported()
    {
        await using var app = new BotApplication();
        const string csv = """
            email,name,status,start_date,manager
            not-an-email,Nobody,active,2026-01-01,
            ok.person@acme.example,Ok,retired,2026-01-01,
            late.person@acme.example,Late,active,01/02/2026,
            orphan@acme.example,Orphan,active,,ghost@acme.example
            """;

        var response = await app.CreateAdminClient().PostAsync("/api/admin/people/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("Line 2:", StringComparison.Ordinal) && e.Contains("not-an-email"));
        Assert.Contains(errors, e => e.StartsWith("Line 3:", StringComparison.Ordinal) && e.Contains("retired"));
        Assert.Contains(errors, e => e.StartsWith("Line 4:", StringComparison.Ordinal) && e.Contains("YYYY-MM-DD"));
        await using var scope = app.Scope();
        Assert.False(await BotApplication.Db(scope).People.AnyAsync(p => p.Email == "ok.person@acme.example"));
    }
}
