using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceBot.Tests.Knowledge;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>A review evidences the control it names, or the only control bound to its system's access review; never a guess from titles.</summary>
public sealed class AccessReviewControlBindingTests
{
    [Fact]
    public async Task AReviewBindsTheOnlyControlEvidencedByItsSystemsAccessReview()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        var review = await chat.ReviewAsync(id);
        Assert.Equal("AC-01", review.GetProperty("controlId").GetString());
        Assert.True(review.GetProperty("taskId").ValueKind == JsonValueKind.Number);
    }

    [Fact]
    public async Task AReviewBindsTheControlItNamesAndRefusesOneThatIsNotBoundToTheReview()
    {
        await using var app = new BotApplication();
        var chat = new ReviewChat(app);

        var named = await chat.PostCsvAsync("system=Okta&period=2026-Q4&control=AC-03", ReviewChat.GitHubQ4);
        var wrong = await chat.PostCsvAsync("system=GitHub&period=2026-Q4&control=AC-05", ReviewChat.GitHubQ4);

        Assert.Equal(HttpStatusCode.Created, named.StatusCode);
        var review = await chat.ReviewAsync((await named.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
        Assert.Equal("AC-03", review.GetProperty("controlId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var problem = await wrong.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("control 'AC-05' is not evidenced by the GitHub access review", problem.GetProperty("detail").GetString());
        Assert.Equal(["AC-01"], problem.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        await using var scope = app.Scope();
        Assert.False(await BotApplication.Db(scope).AccessReviews.AnyAsync(r => r.SystemName == "GitHub"));
    }

    [Fact]
    public async Task AnAmbiguousOrMissingBindingIsA400ThatListsTheCandidatesAndImportsNothing()
    {
        using var knowledge = new KnowledgeCopy();
        knowledge.Replace("program/controls.yaml", "    frequency: weekly\n    criteria: [CC8.1]\n    system: GitHub\n", "    frequency: weekly\n    criteria: [CC8.1]\n    system: GitHub\n    evidenced_by: access_review\n");
        knowledge.Replace("program/controls.yaml", "    system: Postgres cluster\n    evidenced_by: access_review\n", "    system: Postgres cluster\n");
        await using var app = new BotApplication();
        app.Settings["Knowledge:Path"] = knowledge.Root;
        var chat = new ReviewChat(app);

        var ambiguous = await chat.PostCsvAsync("system=GitHub&period=2026-Q4", ReviewChat.GitHubQ4);
        var none = await chat.PostCsvAsync("system=Postgres%20cluster&period=2026-Q4", ReviewChat.GitHubQ4);
        var named = await chat.PostCsvAsync("system=GitHub&period=2026-Q4&control=ac-01", ReviewChat.GitHubQ4);

        Assert.Equal(HttpStatusCode.BadRequest, ambiguous.StatusCode);
        var problem = await ambiguous.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("More than one control is evidenced by the GitHub access review: AC-01 (Quarterly user access review - GitHub), CHG-03 (Branch protection settings check). Name the one this review evidences with ?control=<id>.",
            problem.GetProperty("detail").GetString());
        Assert.Equal(["AC-01", "CHG-03"], problem.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("No control is evidenced by the Postgres cluster access review", (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Created, named.StatusCode);
        await using var scope = app.Scope();
        Assert.Equal(["AC-01"], await BotApplication.Db(scope).AccessReviews.Select(r => r.ControlId).ToListAsync());
    }
}
