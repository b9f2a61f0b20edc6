using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceBot.AccessReviews;
using ComplianceBot.Tasks;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>An import is a draft: previewed, replaced, bound and started by an admin; cancelled with a reason once started.</summary>
public sealed class AccessReviewDraftTests
{
    private const string Aisha = "aisha.khan@acme.example";

    [Fact]
    public async Task AnImportIsADraftThatTellsNobodyUntilAnAdminStartsIt()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var inboxBefore = (await chat.InboxAsync(Aisha)).Count;

        var draft = await chat.ImportDraftAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        var id = draft.GetProperty("id").GetInt32();

        // The preview: counts, flags by kind, the flagged accounts, and the proposed binding.
        Assert.Equal(8, draft.GetProperty("accounts").GetInt32());
        Assert.Equal(2, draft.GetProperty("new").GetInt32());
        Assert.Equal(5, draft.GetProperty("unchanged").GetInt32());
        Assert.Equal(1, draft.GetProperty("removed").GetInt32());
        Assert.Equal(4, draft.GetProperty("flagged").GetInt32());
        Assert.Equal(2, draft.GetProperty("flagCounts").GetProperty("privileged").GetInt32());
        Assert.Equal(["aisha-k", "arjun-m", "ci-bot", "ethan-b"], draft.GetProperty("flaggedAccounts").EnumerateArray().Select(a => a.GetProperty("accountId").GetString()).ToList());
        Assert.Equal("AC-01", draft.GetProperty("controlId").GetString());
        Assert.Equal(Aisha, draft.GetProperty("reviewer").GetString());
        var preview = await chat.Admin.GetFromJsonAsync<JsonElement>($"/api/admin/access-reviews/{id}/preview");
        Assert.Equal("Draft", preview.GetProperty("status").GetString());

        // No DM, no page for the reviewer, no decision on a draft.
        Assert.Equal(inboxBefore, (await chat.InboxAsync(Aisha)).Count);
        Assert.Contains("couldn't find", ReviewChat.Text(await chat.StartAsync(Aisha, id)));
        long itemId;
        await using (var scope = app.Scope())
        {
            itemId = await BotApplication.Db(scope).AccessReviewItems.Where(i => i.ReviewId == id && i.AccountId == "liam-w").Select(i => i.Id).SingleAsync();
        }

        var refused = await chat.ClickAsync(Aisha, JsonSerializer.SerializeToElement(new { id = AccessReviewFlow.KeepAction, data = new Dictionary<string, string> { ["item"] = $"{itemId}", ["review"] = $"{id}" } }));
        Assert.Contains("is a draft", ReviewChat.Text(refused));

        // Starting needs the binding named explicitly; then the reviewer hears about it.
        var unbound = await chat.Admin.PostAsJsonAsync($"/api/admin/access-reviews/{id}/start", new { });
        Assert.Equal(HttpStatusCode.BadRequest, unbound.StatusCode);
        Assert.Contains("proposed control AC-01, reviewer aisha.khan@acme.example", await unbound.Content.ReadAsStringAsync());
        var wrongControl = await chat.Admin.PostAsJsonAsync($"/api/admin/access-reviews/{id}/start", new { control = "AC-02", reviewer = Aisha });
        Assert.Equal(HttpStatusCode.BadRequest, wrongControl.StatusCode);

        var started = await chat.StartReviewAsync(id, "AC-01", Aisha);
        Assert.Equal("InReview", started.GetProperty("status").GetString());
        var dm = (await chat.InboxAsync(Aisha)).Last().GetProperty("reply");
        Assert.Equal("Q4 access review for GitHub: 8 accounts — 2 new, 4 flagged. Due 15 Jan.", ReviewChat.Text(dm));
        Assert.Contains("0/8 decided", ReviewChat.Text(await chat.StartAsync(Aisha, id)));
        var startAgain = await chat.Admin.PostAsJsonAsync($"/api/admin/access-reviews/{id}/start", new { control = "AC-01", reviewer = Aisha });
        Assert.Equal(HttpStatusCode.Conflict, startAgain.StatusCode);

        await using var audit = app.Scope();
        var startedEvent = await BotApplication.Db(audit).AuditEvents.SingleAsync(e => e.Action == "access-review.started" && e.Subject == "access-review:GitHub/2026-Q4");
        Assert.Contains("\"evidenced_by\":\"access_review\"", startedEvent.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACorrectedFileReplacesTheDraftsAccounts()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var draft = await chat.ImportDraftAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ3);
        var id = draft.GetProperty("id").GetInt32();

        // A second POST for the same quarter names the way out instead of a dead end.
        var again = await chat.PostCsvAsync("system=GitHub&period=2026-Q4", ReviewChat.GitHubQ4);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains($"PUT /api/admin/access-reviews/{id}/accounts", await again.Content.ReadAsStringAsync());

        // A broken replacement changes nothing; a good one replaces every account and is audited with both hashes.
        var broken = await chat.Admin.PutAsync($"/api/admin/access-reviews/{id}/accounts", new StringContent("account_id,display_name\nx,y\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        var replaced = await chat.Admin.PutAsync($"/api/admin/access-reviews/{id}/accounts", new StringContent(ReviewChat.GitHubQ4, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var preview = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(8, preview.GetProperty("accounts").GetInt32());
        Assert.NotEqual(draft.GetProperty("sourceSha256").GetString(), preview.GetProperty("sourceSha256").GetString());

        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            Assert.Equal(8, await db.AccessReviewItems.CountAsync(i => i.ReviewId == id));
            Assert.True(await db.AccessReviewItems.AnyAsync(i => i.ReviewId == id && i.AccountId == "ci-bot"));
            Assert.False(await db.AccessReviewItems.AnyAsync(i => i.ReviewId == id && i.AccountId == "omar-h"));
            Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "access-review.replaced"));
        }

        // Once started, the file is fixed: the way out is a cancel with a reason.
        await chat.StartReviewAsync(id, "AC-01", Aisha);
        var late = await chat.Admin.PutAsync($"/api/admin/access-reviews/{id}/accounts", new StringContent(ReviewChat.GitHubQ3, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("cancel it with a reason", await late.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StartingWithAnotherReviewerMovesTheSelfReviewGuardToThem()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var id = (await chat.ImportDraftAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4)).GetProperty("id").GetInt32();

        await chat.StartReviewAsync(id, "AC-01", "liam.walsh@acme.example");

        var review = await chat.ReviewAsync(id);
        var items = review.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("accountId").GetString()!);
        Assert.Equal("liam.walsh@acme.example", review.GetProperty("reviewer").GetString());
        Assert.DoesNotContain("self", items["aisha-k"].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("self", items["liam-w"].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.NotEqual("liam.walsh@acme.example", items["liam-w"].GetProperty("assignedTo").GetString());
        Assert.Equal("liam.walsh@acme.example", items["aisha-k"].GetProperty("assignedTo").GetString());
    }

    [Fact]
    public async Task AStartedReviewIsCancelledOnlyWithAReasonAndStaysOnRecord()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        var noReason = await chat.Admin.PostAsJsonAsync($"/api/admin/access-reviews/{id}/cancel", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("say why", await noReason.Content.ReadAsStringAsync());

        var cancelled = await chat.Admin.PostAsJsonAsync($"/api/admin/access-reviews/{id}/cancel", new { reason = "Imported the staging org by mistake" });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("Cancelled", (await cancelled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Contains("Imported the staging org by mistake", ReviewChat.Text((await chat.InboxAsync(Aisha)).Last().GetProperty("reply")));
        Assert.Contains("was cancelled", ReviewChat.Text(await chat.ClickAsync(Aisha, JsonSerializer.SerializeToElement(new { id = AccessReviewFlow.KeepAllAction, data = new Dictionary<string, string> { ["review"] = $"{id}" } }))));

        // The quarter is free for the right file; the cancelled review is still there, with who and why.
        var replacement = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        Assert.NotEqual(id, replacement);
        var old = await chat.Admin.GetFromJsonAsync<JsonElement>($"/api/admin/access-reviews/{id}/preview");
        Assert.Equal("Imported the staging org by mistake", old.GetProperty("cancelReason").GetString());
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        Assert.Equal(8, await db.AccessReviewItems.CountAsync(i => i.ReviewId == id));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "access-review.cancelled"));
    }

    [Fact]
    public async Task AnOutOfScopeSystemOrAClosedPeriodNeedsAnAuditedOverride()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);
        await using (var scope = app.Scope())
        {
            var db = BotApplication.Db(scope);
            await db.Systems.Where(s => s.Name == "GitHub").ExecuteUpdateAsync(s => s.SetProperty(x => x.InScope, false));
            await db.ControlTasks.Where(t => t.ControlId == "AC-01" && t.Period == "2026-Q4").ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, ControlTaskStatus.NotApplicable));
        }

        var refused = await chat.PostCsvAsync("system=GitHub&period=2026-Q4", ReviewChat.GitHubQ4);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("GitHub is out of the audit's scope.", problem);
        Assert.Contains("The 2026-Q4 occurrence of AC-01 is closed (notapplicable).", problem);

        var overridden = await chat.PostCsvAsync("system=GitHub&period=2026-Q4&override=" + Uri.EscapeDataString("Customer contract asks for it"), ReviewChat.GitHubQ4);
        Assert.Equal(HttpStatusCode.Created, overridden.StatusCode);
        Assert.Equal("Customer contract asks for it", (await overridden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("overrideReason").GetString());
        await using var audit = app.Scope();
        var overrideEvent = await BotApplication.Db(audit).AuditEvents.SingleAsync(e => e.Action == "access-review.scope-overridden");
        Assert.Contains("Customer contract asks for it", overrideEvent.Data, StringComparison.Ordinal);
    }
}
