using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>The vendors' own exports, imported as an admin does: through POST /api/admin/access-reviews, file as it comes.</summary>
public sealed class ImportProfileTests
{
    private const string Rachel = "rachel.kim@acme.example";
    private const string Tom = "tom.becker@acme.example";
    private const string Priya = "priya.nair@acme.example";

    public static string Sample(string name) => File.ReadAllText(Path.Combine(BotApplication.RepoRoot, "tests", "ComplianceBot.Tests", "AccessReviews", "Samples", name));

    private static async Task<(int Id, JsonElement Review, Dictionary<string, JsonElement> Items)> ImportAsync(ReviewChat chat, string query, string csv)
    {
        var response = await chat.PostCsvAsync(query, csv);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        // Drafts are previews; a started review is the one the next quarter is compared with.
        var draft = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = draft.GetProperty("id").GetInt32();
        await chat.StartReviewAsync(id, draft.GetProperty("controlId").GetString()!, draft.GetProperty("reviewer").GetString()!);
        var review = await chat.ReviewAsync(id);
        return (id, review, review.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("accountId").GetString()!));
    }

    private static string[] Flags(JsonElement item) => [.. item.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!)];

    private static string[] Strings(JsonElement item, string property) => [.. item.GetProperty(property).EnumerateArray().Select(f => f.GetString()!)];

    private static string? Text(JsonElement item, string property) => item.GetProperty(property).ValueKind == JsonValueKind.Null ? null : item.GetProperty(property).GetString();

    [Fact]
    public async Task AnAwsCredentialReportMatchesIamUsersByLoginAndCountsKeyActivity()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var (_, review, items) = await ImportAsync(chat, "system=AWS&period=2026-Q4", Sample("aws-iam-credential-report.csv"));

        Assert.Equal("aws-iam-credential-report", review.GetProperty("importProfile").GetString());
        Assert.Equal(Tom, review.GetProperty("reviewer").GetString());
        Assert.Equal(7, items.Count);
        Assert.Equal(["dormant", "privileged", "unmatched"], Flags(items["<root_account>"]));
        Assert.Equal("root", items["<root_account>"].GetProperty("role").GetString());
        // The manager's own IAM user, found by its login: his manager decides it.
        Assert.Equal(["self"], Flags(items["tom.becker"]));
        Assert.Equal("login", Text(items["tom.becker"], "matchedBy"));
        Assert.Equal(Tom, Text(items["tom.becker"], "person"));
        Assert.Equal(Priya, items["tom.becker"].GetProperty("assignedTo").GetString());
        // Last activity is the latest of the password and both keys: the key used this morning, not the password.
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 8, 12, 0, TimeSpan.Zero), items["tom.becker"].GetProperty("lastLogin").GetDateTimeOffset());
        Assert.Equal("access_key_1_last_used_date", Text(items["tom.becker"], "lastActivitySource"));
        Assert.Empty(Flags(items["hannah.schmidt"]));
        // A service user with no password but a key used today is not dormant; it is nobody's, so unmatched, never "terminated".
        Assert.Equal(["unmatched"], Flags(items["deploy-bot"]));
        Assert.Equal("access keys only", Text(items["deploy-bot"], "accountStatus"));
        Assert.Contains("key 1 active, last used 2026-11-27 (ecs)", Text(items["deploy-bot"], "keyStatus"));
        Assert.Equal(["terminated"], Flags(items["ethan.brooks"]));
        Assert.Equal(["unmatched"], Flags(items["pvogel"]));
        Assert.False(items["pvogel"].GetProperty("mfa").GetBoolean());
        Assert.Equal(["dormant", "unmatched"], Flags(items["old-backup"]));
    }

    [Fact]
    public async Task AGitHubMemberExportMatchesBySamlNameIdIgnoringPlusAddressing()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var (_, review, items) = await ImportAsync(chat, "system=GitHub&period=2026-Q4", Sample("github-org-members.csv"));

        Assert.Equal("github-org-members", review.GetProperty("importProfile").GetString());
        Assert.Equal(["privileged", "self"], Flags(items["aisha-k"]));
        Assert.Equal(["Organization owner"], Strings(items["aisha-k"], "adminRoles"));
        Assert.Equal(["privileged"], Flags(items["arjun-m"]));
        Assert.Equal("liam.walsh@acme.example", Text(items["liam-w"], "person"));
        Assert.Empty(Flags(items["liam-w"]));
        Assert.False(items["grace-l"].GetProperty("mfa").GetBoolean());
        Assert.Equal(["terminated"], Flags(items["ethan-b"]));
        Assert.Equal(["unmatched"], Flags(items["srivera-ext"]));
        Assert.Equal(["dormant"], Flags(items["sofia-m"]));
    }

    [Fact]
    public async Task AnOktaReportReadsStatusGroupsAndAdminRoles()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var (_, review, items) = await ImportAsync(chat, "system=Okta&period=2026-Q4", Sample("okta-users.csv"));

        Assert.Equal("okta-users", review.GetProperty("importProfile").GetString());
        Assert.Equal(Rachel, review.GetProperty("reviewer").GetString());
        var rachel = items["rachel.kim@acme.example"];
        Assert.Equal(["privileged", "self"], Flags(rachel));
        Assert.Equal(["Everyone", "Okta-Admins", "AWS-Prod-Admin"], Strings(rachel, "groups"));
        Assert.Equal(["Super Administrator"], Strings(rachel, "adminRoles"));
        Assert.Equal("james.okafor@acme.example", rachel.GetProperty("assignedTo").GetString());
        // SUSPENDED and DEPROVISIONED cannot sign in (so they are not "dormant"); LOCKED_OUT can be unlocked.
        Assert.False(items["sofia.martinez@acme.example"].GetProperty("accountEnabled").GetBoolean());
        Assert.Equal("SUSPENDED", Text(items["sofia.martinez@acme.example"], "accountStatus"));
        Assert.Empty(Flags(items["sofia.martinez@acme.example"]));
        Assert.Equal(["terminated"], Flags(items["ethan.brooks@acme.example"]));
        Assert.True(items["liam.walsh@acme.example"].GetProperty("accountEnabled").GetBoolean());
        Assert.Equal(["dormant"], Flags(items["james.okafor@acme.example"]));
        Assert.Equal(["privileged", "unmatched"], Flags(items["svc-scim@acme.example"]));
    }

    [Fact]
    public async Task AnEntraExportMatchesByUpnAndWithoutSignInColumnsFlagsNobodyDormant()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var (_, review, items) = await ImportAsync(chat, "system=Okta&period=2026-Q4", Sample("entra-users.csv"));

        Assert.Equal("entra-users", review.GetProperty("importProfile").GetString());
        Assert.Empty(Flags(items["maria.chen@acme.example"]));
        Assert.Empty(Flags(items["dana.reyes@acme.example"]));
        Assert.Equal(["terminated"], Flags(items["ethan.brooks@acme.example"]));
        Assert.False(items["ethan.brooks@acme.example"].GetProperty("accountEnabled").GetBoolean());
        var guest = items["sam.rivera_partner.example#EXT#@acme.onmicrosoft.com"];
        Assert.Equal(["unmatched"], Flags(guest));
        Assert.Equal("Guest", Text(guest, "accountStatus"));
    }

    [Fact]
    public async Task AGoogleWorkspaceDownloadReadsUtcSuffixedDatesAndNeverLoggedIn()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var (_, review, items) = await ImportAsync(chat, "system=Okta&period=2026-Q4", Sample("google-workspace-users.csv"));

        Assert.Equal("google-workspace-users", review.GetProperty("importProfile").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 12, 33, TimeSpan.Zero), items["grace.liu@acme.example"].GetProperty("lastLogin").GetDateTimeOffset());
        Assert.Empty(Flags(items["grace.liu@acme.example"]));
        Assert.True(items["grace.liu@acme.example"].GetProperty("mfa").GetBoolean());
        Assert.Equal(["dormant"], Flags(items["kevin.osei@acme.example"]));
        Assert.Equal(["terminated"], Flags(items["ethan.brooks@acme.example"]));
        Assert.Equal(["unmatched"], Flags(items["team-inbox@acme.example"]));
    }

    [Fact]
    public async Task WhatChangedSinceLastQuarterIsSaidInWords()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var q4 = Sample("okta-users.csv");
        var q3 = q4.Replace("\"Everyone;Okta-Admins;AWS-Prod-Admin\"", "Everyone;Okta-Admins", StringComparison.Ordinal)
            .Replace("00u2a3b4c5D6e7F8g9h0,SUSPENDED", "00u2a3b4c5D6e7F8g9h0,ACTIVE", StringComparison.Ordinal)
            .Replace("Everyone;Engineering;GitHub-Users", "Everyone;Engineering", StringComparison.Ordinal);
        await ImportAsync(chat, "system=Okta&period=2026-Q3", q3);

        var (_, _, items) = await ImportAsync(chat, "system=Okta&period=2026-Q4", q4);

        Assert.Equal("added to AWS-Prod-Admin", Text(items["rachel.kim@acme.example"], "changeSummary"));
        Assert.Equal("changed", items["rachel.kim@acme.example"].GetProperty("change").GetString());
        Assert.Equal("disabled", Text(items["sofia.martinez@acme.example"], "changeSummary"));
        Assert.Equal("added to GitHub-Users", Text(items["liam.walsh@acme.example"], "changeSummary"));
        Assert.Equal("unchanged", items["james.okafor@acme.example"].GetProperty("change").GetString());
        Assert.Null(Text(items["james.okafor@acme.example"], "changeSummary"));
    }

    [Fact]
    public async Task ADraftTakesTheCorrectNativeExportAndTheCardShowsWhatItsProfileRead()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        // The wrong file first (AWS's report for the Okta review): the draft is replaced, not stuck.
        var draft = await chat.ImportDraftAsync("Okta", "2026-Q4", Sample("aws-iam-credential-report.csv"));
        var id = draft.GetProperty("id").GetInt32();
        Assert.Equal("aws-iam-credential-report", draft.GetProperty("importProfile").GetString());

        var replaced = await chat.Admin.PutAsync($"/api/admin/access-reviews/{id}/accounts", new StringContent(Sample("okta-users.csv"), System.Text.Encoding.UTF8, "text/csv"));
        Assert.True(replaced.IsSuccessStatusCode, await replaced.Content.ReadAsStringAsync());
        var preview = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("okta-users", preview.GetProperty("importProfile").GetString());
        Assert.Equal(6, preview.GetProperty("accounts").GetInt32());
        Assert.Equal("Draft", preview.GetProperty("status").GetString());

        await chat.StartReviewAsync(id, preview.GetProperty("controlId").GetString()!, "rachel.kim@acme.example");
        var page = await chat.StartAsync("rachel.kim@acme.example", id);

        Assert.Equal("SUSPENDED — cannot sign in", ReviewChat.Field(ReviewChat.Item(page, "sofia.martinez@acme.example"), "Status"));
        Assert.Equal("Everyone, Engineering, GitHub-Users", ReviewChat.Field(ReviewChat.Item(page, "liam.walsh@acme.example"), "Groups"));
        Assert.Equal("Read-only Administrator", ReviewChat.Field(ReviewChat.Item(page, "svc-scim@acme.example"), "Admin roles"));
        // Rachel's own admin account is not on her page: her manager decides it.
        Assert.DoesNotContain(page.GetProperty("items").EnumerateArray(), i => i.GetProperty("text").GetString()!.StartsWith("rachel.kim@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MarksAndAliasesApplyAtOnceAndAreRememberedNextQuarter()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var csv = Sample("aws-iam-credential-report.csv");
        var (id, _, _) = await ImportAsync(chat, "system=AWS&period=2026-Q4", csv);

        var marked = await chat.Admin.PutAsJsonAsync("/api/admin/access-reviews/accounts/mark",
            new { system = "AWS production account", accountId = "deploy-bot", kind = "service account", owner = "ben.carter@acme.example", note = "ECS deploys" });
        Assert.True(marked.IsSuccessStatusCode, await marked.Content.ReadAsStringAsync());
        // "pvogel is Tom": his second IAM user, so it becomes his own account and goes to his manager.
        var aliased = await chat.Admin.PutAsJsonAsync("/api/admin/access-reviews/accounts/alias", new { system = "aws", accountId = "pvogel", person = "Tom.Becker@acme.example" });
        Assert.True(aliased.IsSuccessStatusCode, await aliased.Content.ReadAsStringAsync());

        var items = (await chat.ReviewAsync(id)).GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("accountId").GetString()!);
        Assert.Empty(Flags(items["deploy-bot"]));
        Assert.Equal("service account", Text(items["deploy-bot"], "mark"));
        Assert.Equal("ben.carter@acme.example", Text(items["deploy-bot"], "owner"));
        Assert.Equal(["self"], Flags(items["pvogel"]));
        Assert.Equal("alias", Text(items["pvogel"], "matchedBy"));
        Assert.Equal(Priya, items["pvogel"].GetProperty("assignedTo").GetString());

        var (_, _, next) = await ImportAsync(chat, "system=AWS&period=2027-Q1", csv);

        Assert.Empty(Flags(next["deploy-bot"]));
        Assert.Equal("service account", Text(next["deploy-bot"], "mark"));
        Assert.Equal(["self"], Flags(next["pvogel"]));
        Assert.Equal(Tom, Text(next["pvogel"], "person"));
        Assert.Equal(Priya, next["pvogel"].GetProperty("assignedTo").GetString());
        Assert.All(next.Values, i => Assert.Equal("unchanged", i.GetProperty("change").GetString()));

        var list = await chat.Admin.GetFromJsonAsync<JsonElement>("/api/admin/access-reviews/accounts?system=AWS production account");
        Assert.Equal("tom.becker@acme.example", list.GetProperty("aliases")[0].GetProperty("person").GetString());
        Assert.Equal("ECS deploys", list.GetProperty("marks")[0].GetProperty("note").GetString());
        await using var scope = app.Scope();
        var actions = await BotApplication.Db(scope).AuditEvents.Select(e => e.Action).ToListAsync();
        Assert.Contains("access-review.account-marked", actions);
        Assert.Contains("access-review.account-aliased", actions);
    }

    [Theory]
    [InlineData("""{"system":"AWS","accountId":"deploy-bot","kind":"robot","owner":"ben.carter@acme.example"}""", "mark", "kind 'robot' is not one of")]
    [InlineData("""{"system":"AWS","accountId":"deploy-bot","kind":"service account","owner":"nobody@acme.example"}""", "mark", "every marked account needs an owner")]
    [InlineData("""{"system":"AWS","accountId":"deploy-bot","kind":"service account","owner":"ethan.brooks@acme.example"}""", "mark", "has left")]
    [InlineData("""{"system":"Nowhere","accountId":"pvogel","person":"tom.becker@acme.example"}""", "alias", "Unknown system 'Nowhere'")]
    [InlineData("""{"system":"AWS","accountId":"","person":"tom.becker@acme.example"}""", "alias", "Name the account id")]
    public async Task ABadMarkOrAliasIsA400(string body, string kind, string expected)
    {
        await using var app = new BotApplication();

        var response = await app.CreateAdminClient().PutAsync($"/api/admin/access-reviews/accounts/{kind}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NextQuarterVerifiesThatRevokedAccountsAreGone()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        const string Aisha = "aisha.khan@acme.example";
        var q3 = """
            account_id,display_name,email,role,last_login
            liam-w,Liam Walsh,liam.walsh@acme.example,member,2026-08-25
            ethan-b,Ethan Brooks,ethan.brooks@acme.example,member,2026-08-01
            grace-l,Grace Liu,grace.liu@acme.example,member,2026-08-26
            """;
        var q3Id = await chat.ImportAsync("GitHub", "2026-Q3", q3);
        var page = await chat.StartAsync(Aisha, q3Id);
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "liam-w"), "access.keep"));
        foreach (var account in new[] { "ethan-b", "grace-l" })
        {
            var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, account), "access.revoke"));
            page = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["reason"] = "No longer needs GitHub" });
        }

        page = await chat.ClickAsync(Aisha, ReviewChat.Button(await chat.StartAsync(Aisha, q3Id), "access.sign-off"));
        Assert.StartsWith("Signed off", ReviewChat.Text(page));

        // grace-l was removed; ethan-b is still there.
        var (q4Id, review, items) = await ImportAsync(chat, "system=GitHub&period=2026-Q4", """
            account_id,display_name,email,role,last_login
            liam-w,Liam Walsh,liam.walsh@acme.example,member,2026-11-25
            ethan-b,Ethan Brooks,ethan.brooks@acme.example,member,2026-11-02
            """);

        Assert.Equal(1, review.GetProperty("revokedGone").GetInt32());
        Assert.Equal(1, review.GetProperty("revokedStillPresent").GetInt32());
        Assert.Contains("stillpresent", Flags(items["ethan-b"]));
        Assert.DoesNotContain("stillpresent", Flags(items["liam-w"]));
        var report = await chat.Admin.GetStringAsync($"/api/admin/access-reviews/{q4Id}/report");
        Assert.Contains("Revocations of the previous review verified: 1 gone; 1 still present: ethan-b", report);
        await using var scope = app.Scope();
        var revocations = await BotApplication.Db(scope).Set<ComplianceBot.AccessReviews.AccessRevocation>().Include(r => r.Item).ToListAsync();
        Assert.All(revocations, r => Assert.Equal(q4Id, r.VerifiedInReviewId));
        Assert.True(revocations.Single(r => r.Item!.AccountId == "ethan-b").StillPresentAtVerification);
        Assert.False(revocations.Single(r => r.Item!.AccountId == "grace-l").StillPresentAtVerification);
    }

    [Fact]
    public async Task TheReportCarriesTheProfileTheHashAndTheEntitlements()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var csv = Sample("okta-users.csv");
        var (id, review, _) = await ImportAsync(chat, "system=Okta&period=2026-Q4", csv);

        var report = await chat.Admin.GetStringAsync($"/api/admin/access-reviews/{id}/report");

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(csv))), review.GetProperty("sourceSha256").GetString());
        Assert.Contains($"Snapshot SHA-256: {review.GetProperty("sourceSha256").GetString()}", report);
        Assert.Contains("# Import profile: okta-users", report);
        Assert.Contains("groups,admin_roles,mfa,key_status,account_status,account_enabled,last_activity_source,change_details,person,matched_by,mark,owner", report);
        Assert.Contains("Everyone; Okta-Admins; AWS-Prod-Admin,Super Administrator,,,ACTIVE,yes,lastLogin,,rachel.kim@acme.example,email,,", report);

        // The auditor export holds the export itself under its hash, and names the profile it was read with.
        using var zip = new System.IO.Compression.ZipArchive(await chat.Admin.GetStreamAsync("/api/admin/export?period=2026-Q4"));
        using var source = new MemoryStream();
        await zip.GetEntry("access-reviews/Okta-2026-Q4/source-accounts.csv")!.Open().CopyToAsync(source);
        Assert.Equal(review.GetProperty("sourceSha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(source.ToArray())));
        var reviews = await new StreamReader(zip.GetEntry("access-reviews/reviews.csv")!.Open()).ReadToEndAsync();
        Assert.Contains($"{review.GetProperty("sourceSha256").GetString()},access-reviews/Okta-2026-Q4/source-accounts.csv,okta-users,,,", reviews);
    }

    [Fact]
    public async Task AnAmbiguousDateIsRefusedWithItsLineUntilTheOrderIsStated()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var csv = "account_id,display_name,email,role,last_login\nliam-w,Liam Walsh,liam.walsh@acme.example,member,2026-11-25\ngrace-l,Grace Liu,grace.liu@acme.example,member,01.11.2026\n";

        var refused = await chat.PostCsvAsync("system=GitHub&period=2026-Q4", csv);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Line 3: last_login '01.11.2026' does not say whether the day or the month comes first (1 November or 11 January)", await refused.Content.ReadAsStringAsync());

        var (_, review, items) = await ImportAsync(chat, "system=GitHub&period=2026-Q4&dateFormat=dmy", csv);

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), items["grace-l"].GetProperty("lastLogin").GetDateTimeOffset());
        Assert.Equal("dateFormat=dmy", review.GetProperty("importSettings").GetString());
    }

    [Fact]
    public async Task AColumnMappingReadsAnyOtherExport()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var csv = "User Name,Full Name,Mail,Access Level,Last Seen,Plan\nliam-w,Liam Walsh,liam.walsh@acme.example,member,1795000000,pro\ngrace-l,Grace Liu,grace.liu@acme.example,Admin,2026-11-20 10:00:00 UTC,pro\n";
        var map = Uri.EscapeDataString("account_id=User Name,display_name=Full Name,email=Mail,role=Access Level,last_login=Last Seen");

        var (_, review, items) = await ImportAsync(chat, $"system=GitHub&period=2026-Q4&map={map}", csv);

        Assert.Equal("generic-mapped", review.GetProperty("importProfile").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 18, 11, 6, 40, TimeSpan.Zero), items["liam-w"].GetProperty("lastLogin").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), items["grace-l"].GetProperty("lastLogin").GetDateTimeOffset());
        Assert.Equal(["privileged"], Flags(items["grace-l"]));
        Assert.Equal("pro", items["grace-l"].GetProperty("entitlements").GetProperty("plan").GetString());
    }

    [Theory]
    [InlineData("id,status,profile.login,profile.email\n1,ACTIVE,a@acme.example,a@acme.example\n", "",
        "no import profile matches this header. The closest is the Okta users report (okta-users), which needs the column lastLogin")]
    [InlineData("user,arn,mfa_active\nbob,arn:aws:iam::1:user/bob,true\n", "",
        "The closest is the AWS IAM credential report (aws-iam-credential-report), which needs the columns password_enabled, password_last_used, access_key_1_active")]
    [InlineData("account_id,display_name,email,role,last_login\na,A,a@acme.example,member,2026-11-01\n", "&profile=okta-users",
        "the header does not fit the Okta users report (okta-users): it is missing profile.login, status, lastLogin")]
    [InlineData("account_id,display_name,email,role,last_login\na,A,a@acme.example,member,2026-11-01\n", "&profile=salesforce", "There is no import profile 'salesforce'")]
    [InlineData("account_id,display_name,email,role,last_login\na,A,a@acme.example,member,2026-11-01\n", "&dateFormat=yyyy-dd-mm", "dateFormat 'yyyy-dd-mm' is not known")]
    [InlineData("account_id,display_name,email,role,last_login\na,A,a@acme.example,member,2026-11-01\n", "&map=email%3DMail", "map must name the column that holds the account id")]
    [InlineData("account_id,display_name,email,role,last_login\na,A,a@acme.example,member,2026-11-01\n", "&map=account_id%3DUser", "the column mapping names column User that the header does not have")]
    public async Task AFileNoProfileReadsNamesTheClosestProfileAndWhatItLacks(string csv, string query, string expected)
    {
        await using var app = new BotApplication();

        var response = await new ReviewChat(app).PostCsvAsync("system=Okta&period=2026-Q4" + query, csv);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AProfileFileWithBrokenRowsListsEveryLineAndImportsNothing()
    {
        await using var app = new BotApplication();
        var lines = Sample("okta-users.csv").ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        lines[2] = lines[2].Replace("2026-06-01T07:00:00.000Z", "03/04/2026", StringComparison.Ordinal);
        lines[4] = lines[4].Replace("liam.walsh@acme.example,liam.walsh@acme.example", ",liam.walsh@acme.example", StringComparison.Ordinal);
        lines[5] = lines[5].Replace(",ACTIVE,", ",,", StringComparison.Ordinal);

        var response = await new ReviewChat(app).PostCsvAsync("system=Okta&period=2026-Q4", string.Join('\n', lines) + "\n");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var problems = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal(3, problems.Count);
        Assert.StartsWith("Line 3: lastLogin '03/04/2026' does not say whether the day or the month comes first (3 April or 4 March)", problems[0]);
        Assert.Equal("Line 5: profile.login is empty.", problems[1]);
        Assert.Equal("Line 6: status is empty.", problems[2]);
        Assert.Contains("3 problems", problem.GetProperty("detail").GetString());
        await using var scope = app.Scope();
        Assert.False(await BotApplication.Db(scope).AccessReviews.AnyAsync());
    }

    [Fact]
    public async Task TheProfilesAreListedWithTheirColumns()
    {
        await using var app = new BotApplication();

        var profiles = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>("/api/admin/access-reviews/profiles");

        Assert.Equal(["aws-iam-credential-report", "github-org-members", "okta-users", "entra-users", "google-workspace-users", "generic"],
            profiles.EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList());
    }
}
