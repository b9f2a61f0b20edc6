using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceBot.AccessReviews;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.AccessReviews;

public sealed class AccessReviewsApiTests
{
    [Fact]
    public async Task ImportCreatesASnapshotTaggedAgainstThePreviousQuarterAndFlagged()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);

        var response = await chat.PostCsvAsync("system=GitHub&period=2026-Q4", ReviewChat.GitHubQ4);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/api/admin/access-reviews/{created.GetProperty("id").GetInt32()}", response.Headers.Location?.ToString());
        var review = await chat.ReviewAsync(created.GetProperty("id").GetInt32());
        Assert.Equal("aisha.khan@acme.example", review.GetProperty("reviewer").GetString());
        Assert.Equal("AC-01", review.GetProperty("controlId").GetString());
        Assert.Equal("2027-01-15", review.GetProperty("dueDate").GetString());
        Assert.Equal(8, review.GetProperty("accounts").GetInt32());
        Assert.Equal(["omar-h"], review.GetProperty("removedAccounts").EnumerateArray().Select(a => a.GetString()).ToList());

        var items = review.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("accountId").GetString()!);
        string[] Flags(string id) => [.. items[id].GetProperty("flags").EnumerateArray().Select(f => f.GetString()!)];
        string Change(string id) => items[id].GetProperty("change").GetString()!;
        Assert.Equal(["privileged", "self"], Flags("aisha-k"));
        Assert.Equal(["terminated"], Flags("ethan-b"));
        Assert.Equal(["privileged"], Flags("arjun-m"));
        Assert.Equal(["dormant", "unmatched"], Flags("ci-bot"));
        Assert.Empty(Flags("liam-w"));
        Assert.Equal("unchanged", Change("liam-w"));
        Assert.Equal("changed", Change("arjun-m"));
        Assert.Equal("new", Change("nina-p"));
        Assert.Equal("pending", items["liam-w"].GetProperty("decision").GetString());
        Assert.Equal("finance, ops", items["nina-p"].GetProperty("entitlements").GetProperty("teams").GetString());
        // Nobody reviews their own access: the reviewer's account waits for her manager.
        Assert.Equal("priya.nair@acme.example", items["aisha-k"].GetProperty("assignedTo").GetString());
        Assert.Equal("aisha.khan@acme.example", items["liam-w"].GetProperty("assignedTo").GetString());
    }

    [Fact]
    public async Task TheListingShowsEachReviewsProgress()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            var aisha = await db.People.SingleAsync(p => p.Email == "aisha.khan@acme.example");
            var items = await db.AccessReviewItems.Where(i => i.ReviewId == id && i.AssigneeId == aisha.Id).OrderBy(i => i.AccountId).Take(3).ToListAsync();
            items.ForEach(i => i.Decide(AccessDecision.Keep, null, aisha, app.Clock.GetUtcNow()));
            await db.SaveChangesAsync();
        }

        var listing = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/access-reviews?system=GitHub&period=2026-Q4");

        var review = Assert.Single(listing.EnumerateArray());
        Assert.Equal((8, 3, 5), (review.GetProperty("accounts").GetInt32(), review.GetProperty("decided").GetInt32(), review.GetProperty("undecided").GetInt32()));
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        Assert.Equal(new DateOnly(2027, 1, 15).DayNumber - today.DayNumber, review.GetProperty("daysToDue").GetInt32());
        Assert.Equal(0, review.GetProperty("openRevocations").GetInt32());
    }

    [Fact]
    public async Task TheReviewerAndTheirManagerAreToldInADirectMessage()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        var dm = (await chat.InboxAsync("aisha.khan@acme.example")).Last().GetProperty("reply");
        var managerDm = (await chat.InboxAsync("priya.nair@acme.example")).Last().GetProperty("reply");

        Assert.Equal("Q4 access review for GitHub: 8 accounts — 2 new, 4 flagged. Due 15 Jan.", ReviewChat.Text(dm));
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), ReviewChat.Button(dm, "access.start").GetProperty("data").GetProperty("review").GetString());
        Assert.Contains("belong to Aisha Khan", ReviewChat.Text(managerDm));
    }

    [Fact]
    public async Task AnExplicitReviewerReplacesTheControlOwner()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var id = await chat.ImportAsync("Okta", "2026-Q4", ReviewChat.GitHubQ4, reviewer: "tom.becker@acme.example");

        var review = await chat.ReviewAsync(id);
        Assert.Equal("tom.becker@acme.example", review.GetProperty("reviewer").GetString());
        // Without a previous Okta review every account is new.
        Assert.All(review.GetProperty("items").EnumerateArray(), i => Assert.Equal("new", i.GetProperty("change").GetString()));
    }

    [Theory]
    [InlineData("account_id,display_name,email,role,last_login\na1,A,a@x.com,member,2026-11-01\na2,\"B, with \"quote\",b@x.com,member,2026-11-01\n", "Line 3")]
    [InlineData("account_id,display_name,email,role,last_login\na1,A,a@x.com,member,2026-11-01\na2,\"never closed,b@x.com,member,2026-11-01\n", "Line 3: a quoted field is never closed")]
    [InlineData("account_id,display_name,email,role\na1,A,a@x.com,member\n", "Line 1: no import profile matches this header. The closest is the generic columns (generic), which needs the column last_login")]
    [InlineData("account_id,display_name,email,role,last_login\na1,A,a@x.com,member,2026-11-01\na2,B,b@x.com,member,2026-11-01\na1,C,c@x.com,member,2026-11-01\n", "Line 4: duplicate account 'a1' (already on line 2)")]
    [InlineData("account_id,display_name,email,role,last_login\na1,A,a@x.com,member\n", "Line 2: 4 fields where the header has 5")]
    [InlineData("account_id,display_name,email,role,last_login\na1,A,a@x.com,member,last tuesday\n", "Line 2: last_login 'last tuesday' is not a date")]
    public async Task MalformedCsvIsA400NamingTheLineAndNothingIsImported(string csv, string expected)
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var response = await chat.PostCsvAsync("system=GitHub&period=2026-Q4", csv);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(0, await db.AccessReviews.CountAsync());
        Assert.Equal(0, await db.AccessReviewItems.CountAsync());
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == "access-review.imported"));
    }

    [Theory]
    [InlineData("system=Nowhere&period=2026-Q4", "Unknown system 'Nowhere'")]
    [InlineData("system=GitHub&period=Q4", "period 'Q4' is not a quarter")]
    [InlineData("system=GitHub&period=2026-Q4&reviewer=nobody@acme.example", "reviewer 'nobody@acme.example' is not in the people directory")]
    [InlineData("system=GitHub&period=2026-Q4&reviewer=ethan.brooks@acme.example", "no longer active")]
    public async Task BadParametersAreA400WithAClearMessage(string query, string expected)
    {
        await using var app = new BotApplication();

        var response = await new ReviewChat(app).PostCsvAsync(query, ReviewChat.GitHubQ4);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AStartedReviewsSnapshotIsImmutableSoASecondImportPointsToCancel()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        var response = await chat.PostCsvAsync("system=GitHub&period=2026-Q4", ReviewChat.GitHubQ3);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains($"POST /api/admin/access-reviews/{id}/cancel", await response.Content.ReadAsStringAsync());
        await using var scope = app.Scope();
        Assert.Equal(8, await BotApplication.Db(scope).AccessReviewItems.CountAsync());
    }

    [Fact]
    public async Task JsonInsteadOfCsvIsRefusedWithA415()
    {
        await using var app = new BotApplication();

        var response = await app.CreateAdminClient().PostAsync("/api/admin/access-reviews?system=GitHub&period=2026-Q4", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("text/csv", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheAdminApiNeedsTheAdminKey()
    {
        await using var app = new BotApplication();

        var response = await app.CreateClient().PostAsync("/api/admin/access-reviews?system=GitHub&period=2026-Q4", new StringContent(ReviewChat.GitHubQ4, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TheImportIsAnAuditEventWithTheHashOfTheExport()
    {
        await using var app = new BotApplication();
        await new ReviewChat(app).ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var review = await db.AccessReviews.SingleAsync();
        var imported = await db.AuditEvents.SingleAsync(e => e.Action == "access-review.imported");
        Assert.Equal("access-review:GitHub/2026-Q4", imported.Subject);
        Assert.Contains(review.SourceSha256, imported.Data);
        Assert.Equal(AccessReviewStatus.InReview, review.Status);
    }
}
