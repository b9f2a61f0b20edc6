using System.IO.Compression;
using System.Text.Json;
using ComplianceBot.AccessReviews;
using ComplianceBot.Audit;
using ComplianceBot.Evidence;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.AccessReviews;

public sealed class AccessReviewFlowTests
{
    private const string Aisha = "aisha.khan@acme.example";
    private const string Priya = "priya.nair@acme.example";
    private const string Kevin = "kevin.osei@acme.example";

    private static async Task<(BotApplication App, ReviewChat Chat, int Id)> Q4ReviewAsync()
    {
        var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        return (app, chat, id);
    }

    [Fact]
    public async Task TheWholeReviewIsCompletedThroughTheWebChat()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;

        // The DM's Start button opens the first page: flagged accounts first, progress visible.
        var dm = (await chat.InboxAsync(Aisha)).Last().GetProperty("reply");
        var page = await chat.ClickAsync(Aisha, ReviewChat.Button(dm, "access.start"));
        Assert.StartsWith("0/8 decided", ReviewChat.Text(page));
        Assert.Equal(["arjun-m", "ci-bot", "ethan-b", "nina-p", "grace-l", "liam-w", "sofia-m"],
            page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("text").GetString()!.Split(' ')[0]).ToList());
        Assert.Equal("privileged", ReviewChat.Field(ReviewChat.Item(page, "arjun-m"), "Flags"));

        // Bulk keep is confirmed against the unchanged, unflagged accounts it names.
        var keepAll = ReviewChat.Button(page, "access.keep-all");
        Assert.Contains("(3)", keepAll.GetProperty("label").GetString());
        var confirmation = await chat.ClickAsync(Aisha, keepAll);
        Assert.StartsWith("Keep these 3 accounts? They have no flags and are unchanged since the previous review.", ReviewChat.Text(confirmation));
        Assert.EndsWith("grace-l, liam-w, sofia-m.", ReviewChat.Text(confirmation));
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(confirmation, "access.keep-all"));
        Assert.StartsWith("Kept 3 unchanged, unflagged accounts.\n3/8 decided", ReviewChat.Text(page));
        Assert.True(page.GetProperty("updatesSource").GetBoolean());
        Assert.False(ReviewChat.HasButton(page, "access.keep-all"));

        page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "arjun-m"), "access.keep"));
        Assert.Contains("4/8 decided", ReviewChat.Text(page));

        // Revoke asks for a reason; an empty one comes back as an error on the input.
        var form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "ethan-b"), "access.revoke"));
        Assert.Equal("reason", form.GetProperty("form").GetProperty("inputs")[0].GetProperty("id").GetString());
        var rejected = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["reason"] = "  " });
        Assert.Contains("needs a reason", rejected.GetProperty("form").GetProperty("errors").GetProperty("reason").GetString());
        page = await chat.SubmitAsync(Aisha, rejected, new Dictionary<string, string> { ["reason"] = "Left the company in October" });
        Assert.Contains("5/8 decided", ReviewChat.Text(page));
        Assert.StartsWith("revoke (Left the company in October)", ReviewChat.Field(ReviewChat.Item(page, "ethan-b"), "Decision"));

        form = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "ci-bot"), "access.revoke"));
        page = await chat.SubmitAsync(Aisha, form, new Dictionary<string, string> { ["reason"] = "No owner; replaced by the GitHub App" });

        // Defer leaves it undecided; a decision can change until sign-off.
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.defer"));
        Assert.Contains("6/8 decided", ReviewChat.Text(page));
        page = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(page, "nina-p"), "access.keep"));
        Assert.Contains("7/8 decided", ReviewChat.Text(page));
        Assert.False(ReviewChat.HasButton(page, "access.sign-off"));

        // Her own account is with her manager, who decides it from her own DM.
        var managerDm = (await chat.InboxAsync(Priya)).Last().GetProperty("reply");
        var managerPage = await chat.ClickAsync(Priya, ReviewChat.Button(managerDm, "access.start"));
        Assert.Contains("Aisha Khan is the reviewer; 1 account is with you", ReviewChat.Text(managerPage));
        managerPage = await chat.ClickAsync(Priya, ReviewChat.Button(ReviewChat.Item(managerPage, "aisha-k"), "access.keep"));
        Assert.Contains("8/8 decided", ReviewChat.Text(managerPage));
        Assert.False(ReviewChat.HasButton(managerPage, "access.sign-off"));

        // Sign-off is the reviewer's attestation, and it locks the decisions.
        page = await chat.StartAsync(Aisha, id);
        var signOff = ReviewChat.Button(page, "access.sign-off");
        Assert.StartsWith("I reviewed every account of GitHub for 2026-Q4 (8 accounts): 6 kept, 2 to be revoked.", signOff.GetProperty("confirm").GetString());
        var lockedPage = page;
        page = await chat.ClickAsync(Aisha, signOff);
        Assert.StartsWith("Signed off: I reviewed every account", ReviewChat.Text(page));
        Assert.Empty(ReviewChat.Item(page, "liam-w").GetProperty("actions").EnumerateArray());
        var late = await chat.ClickAsync(Aisha, ReviewChat.Button(ReviewChat.Item(lockedPage, "liam-w"), "access.defer"));
        Assert.StartsWith("The GitHub review for 2026-Q4 is signed off; its decisions are locked.", ReviewChat.Text(late));
        Assert.StartsWith("keep", ReviewChat.Field(ReviewChat.Item(late, "liam-w"), "Decision"));

        // The system admin gets the revocations, each confirmed with a note.
        var adminDm = (await chat.InboxAsync(Kevin)).Last().GetProperty("reply");
        Assert.Contains("2 accounts to revoke", ReviewChat.Text(adminDm));
        var revocations = await chat.ClickAsync(Kevin, ReviewChat.Button(adminDm, "access.revocations"));
        Assert.Equal(2, revocations.GetProperty("items").GetArrayLength());
        var noteForm = await chat.ClickAsync(Kevin, ReviewChat.Button(ReviewChat.Item(revocations, "ci-bot"), "access.revoked"));
        var noNote = await chat.SubmitAsync(Kevin, noteForm, new Dictionary<string, string> { ["note"] = "" });
        Assert.True(noNote.GetProperty("form").GetProperty("errors").TryGetProperty("note", out _));
        revocations = await chat.SubmitAsync(Kevin, noNote, new Dictionary<string, string> { ["note"] = "Removed from the org, IT-4411" });
        Assert.StartsWith("Confirmed ci-bot.", ReviewChat.Text(revocations));
        var review = await chat.ReviewAsync(id);
        Assert.Equal("SignedOff", review.GetProperty("status").GetString());

        noteForm = await chat.ClickAsync(Kevin, ReviewChat.Button(ReviewChat.Item(revocations, "ethan-b"), "access.revoked"));
        revocations = await chat.SubmitAsync(Kevin, noteForm, new Dictionary<string, string> { ["note"] = "Offboarding ticket IT-4410" });
        Assert.Contains("the GitHub review for 2026-Q4 is complete", ReviewChat.Text(revocations));

        // Complete: the report is evidence with its SHA-256, the control task is done, the audit chain holds.
        review = await chat.ReviewAsync(id);
        Assert.Equal("Completed", review.GetProperty("status").GetString());
        var sha = review.GetProperty("reportSha256").GetString()!;
        var report = await chat.Admin.GetByteArrayAsync($"/api/admin/access-reviews/{id}/report");
        Assert.Equal(sha, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(report)));
        var csv = System.Text.Encoding.UTF8.GetString(report);
        Assert.Contains("ethan-b,Ethan Brooks,ethan.brooks@acme.example,member,2026-11-02T00:00:00Z,unchanged,terminated,revoke,Left the company in October,aisha.khan@acme.example,", csv);
        Assert.Contains("kevin.osei@acme.example", csv);
        Assert.Contains("omar-h,Omar Haddad,omar.haddad@acme.example,member,,removed", csv);
        Assert.Contains("# Accounts: 8; kept: 6; revoked: 2; revocations confirmed: 2", csv);

        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        var task = await db.ControlTasks.SingleAsync(t => t.ControlId == "AC-01" && t.Period == "2026-Q4");
        // The sign-off was recorded as Aisha's attestation of the AC-01 task, and the report is that task's evidence.
        Assert.Equal(ControlTaskStatus.Completed, task.Status);
        var attestation = await db.Attestations.Include(a => a.AttestedBy).SingleAsync(a => a.TaskId == task.Id);
        Assert.Equal(Aisha, attestation.AttestedBy!.Email);
        Assert.StartsWith("I reviewed every account of GitHub for 2026-Q4", attestation.Statement);
        var evidence = await db.EvidenceItems.SingleAsync(e => e.TaskId == task.Id);
        Assert.Equal(sha, evidence.Sha256);
        Assert.Equal("access-review-github-2026-Q4.csv", evidence.FileName);
        Assert.True(await scope.ServiceProvider.GetRequiredService<IEvidenceStore>().ExistsAsync(sha, CancellationToken.None));

        var actions = await db.AuditEvents.Where(e => e.Subject == "access-review:GitHub/2026-Q4").Select(e => e.Action).ToListAsync();
        Assert.Equal(6, actions.Count(a => a == "access-review.decided"));
        Assert.Single(actions, "access-review.bulk-kept");
        Assert.Single(actions, "access-review.signed-off");
        Assert.Equal(2, actions.Count(a => a == "access-review.revocation-confirmed"));
        Assert.Single(actions, "access-review.completed");
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None)).Ok);

        // The auditor export carries the report twice over: as the control's evidence and in access-reviews/.
        using var zip = new ZipArchive(await chat.Admin.GetStreamAsync("/api/admin/export?period=2026-Q4"));
        Assert.Contains(zip.Entries, e => e.FullName == $"controls/AC-01/evidence/2026-Q4/{sha[..12]}-access-review-github-2026-Q4.csv");
        var reviews = new StreamReader(zip.GetEntry("access-reviews/reviews.csv")!.Open()).ReadToEnd();
        Assert.Contains($",GitHub,2026-Q4,AC-01,{task.Id},aisha.khan@acme.example,2027-01-15,Completed,8,6,2,0,2,1,aisha.khan@acme.example,", reviews);
        Assert.Contains(sha, reviews);
        Assert.NotNull(zip.GetEntry("access-reviews/GitHub-2026-Q4/access-review-github-2026-Q4.csv"));
    }

    [Fact]
    public async Task AReviewerCannotDecideOnTheirOwnAccount()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var managerPage = await chat.StartAsync(Priya, id);
        var keepOwn = ReviewChat.Button(ReviewChat.Item(managerPage, "aisha-k"), "access.keep");

        var page = await chat.ClickAsync(Aisha, keepOwn);

        Assert.StartsWith("aisha-k is your own account, so someone else decides on it (no self-review).", ReviewChat.Text(page));
        var review = await chat.ReviewAsync(id);
        var own = review.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("accountId").GetString() == "aisha-k");
        Assert.Equal("pending", own.GetProperty("decision").GetString());
        // Her own pages never list it.
        Assert.DoesNotContain((await chat.StartAsync(Aisha, id)).GetProperty("items").EnumerateArray(), i => i.GetProperty("text").GetString()!.StartsWith("aisha-k", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoClicksFromTheSamePageEndInOneRecordedDecision()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var page = await chat.StartAsync(Aisha, id);
        var item = ReviewChat.Item(page, "arjun-m");

        var first = await chat.ClickAsync(Aisha, ReviewChat.Button(item, "access.keep"));
        var second = await chat.ClickAsync(Aisha, ReviewChat.Button(item, "access.defer"));

        Assert.StartsWith("arjun-m: keep.", ReviewChat.Text(first));
        Assert.StartsWith("arjun-m changed while you were looking (now: keep)", ReviewChat.Text(second));
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(AccessDecision.Keep, (await db.AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "arjun-m")).Decision);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "access-review.decided"));
    }

    [Fact]
    public async Task ConcurrentClicksOnOneItemRecordExactlyOneDecision()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        var item = ReviewChat.Item(await chat.StartAsync(Aisha, id), "ethan-b");
        var revokeForm = await chat.ClickAsync(Aisha, ReviewChat.Button(item, "access.revoke"));

        var results = await Task.WhenAll(
            chat.ClickAsync(Aisha, ReviewChat.Button(item, "access.keep")),
            chat.SubmitAsync(Aisha, revokeForm, new Dictionary<string, string> { ["reason"] = "Left" }),
            chat.ClickAsync(Aisha, ReviewChat.Button(item, "access.defer")));

        Assert.Single(results, r => !ReviewChat.Text(r).Contains("changed while you were looking", StringComparison.Ordinal));
        await using var scope = app.Scope();
        Assert.Equal(1, await BotApplication.Db(scope).AuditEvents.CountAsync(e => e.Action == "access-review.decided"));
    }

    [Fact]
    public async Task SignOffIsRefusedWhileAccountsAreUndecided()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;

        var page = await chat.ClickAsync(Aisha, JsonSerializer.SerializeToElement(new { id = "access.sign-off", data = new { review = id.ToString(System.Globalization.CultureInfo.InvariantCulture) } }));

        Assert.StartsWith("8 account(s) are still undecided (0/8 decided)", ReviewChat.Text(page));
        Assert.Equal("InReview", (await chat.ReviewAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AccessReviewsCommandListsWhatIsWaiting()
    {
        var (app, chat, _) = await Q4ReviewAsync();
        await using var host = app;

        var list = await chat.SayAsync(Aisha, "access reviews");
        var nothing = await chat.SayAsync("maria.chen@acme.example", "access reviews");

        // The Q3 baseline is still open too, and comes first because it was due first.
        Assert.Equal(["GitHub — 2026-Q3: 0/7 decided, due 15 Oct 2026", "GitHub — 2026-Q4: 0/8 decided, due 15 Jan 2027"],
            list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("text").GetString()).ToList());
        Assert.Equal("You have no access reviews, revocations or questions waiting for you.", ReviewChat.Text(nothing));
    }

    [Fact]
    public async Task AReviewWithNothingToRevokeCompletesAtSignOff()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var id = await chat.ImportAsync("Postgres cluster", "2026-Q4", """
            account_id,display_name,email,role,last_login
            app_rw,Application,grace.liu@acme.example,readwrite,2026-11-26
            """);
        var page = await chat.StartAsync("hannah.schmidt@acme.example", id);
        page = await chat.ClickAsync("hannah.schmidt@acme.example", ReviewChat.Button(ReviewChat.Item(page, "app_rw"), "access.keep"));

        page = await chat.ClickAsync("hannah.schmidt@acme.example", ReviewChat.Button(page, "access.sign-off"));

        Assert.Contains("Nothing to revoke, so the review is complete", ReviewChat.Text(page));
        Assert.Equal("Completed", (await chat.ReviewAsync(id)).GetProperty("status").GetString());
    }


    [Fact]
    public async Task TheAccessReviewTaskCannotBeAttestedAroundTheReview()
    {
        var (app, chat, id) = await Q4ReviewAsync();
        await using var host = app;
        await using var scope = app.Scope();
        var task = await BotApplication.Db(scope).ControlTasks.SingleAsync(t => t.ControlId == "AC-01" && t.Period == "2026-Q4");

        var reply = await chat.ClickAsync(Aisha, JsonSerializer.SerializeToElement(new { id = "attest.start", data = new { task = task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } }));

        Assert.Equal("Attested through the access review", reply.GetProperty("title").GetString());
        Assert.False(reply.TryGetProperty("form", out var form) && form.ValueKind != JsonValueKind.Null);
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), ReviewChat.Button(reply, "access.start").GetProperty("data").GetProperty("review").GetString());
    }

    [Fact]
    public async Task TheReviewCommandOpensTheAccessReviews()
    {
        var (app, chat, _) = await Q4ReviewAsync();
        await using var host = app;

        var list = await chat.SayAsync(Aisha, "review");

        Assert.Equal(2, list.GetProperty("items").GetArrayLength());
    }
}
