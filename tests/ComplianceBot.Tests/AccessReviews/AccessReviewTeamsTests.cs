using System.Net;
using System.Text.Json.Nodes;
using ComplianceBot.AccessReviews;
using ComplianceBot.Tests.Channels.Teams;
using Microsoft.EntityFrameworkCore;
using static ComplianceBot.Tests.Channels.Teams.TeamsCards;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>The same review flow in Teams: cards with Action.Execute, the revoke reason as an inline input.</summary>
public sealed class AccessReviewTeamsTests
{
    private const string AishaMri = "29:aisha-mri";
    private const string AishaAad = "aad-aisha";

    private static async Task<JsonNode> InvokeAsync(TeamsApplication app, string verb, JsonObject data)
    {
        var response = await app.PostAsync(TeamsActivities.CardAction(app.Connector.ServiceUrl, verb, data, AishaMri, AishaAad, "1:7"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task RevokeInTeamsAsksForTheReasonInlineAndRecordsIt()
    {
        await using var app = new TeamsApplication();
        app.AddMember(AishaMri, AishaAad, "aisha.khan@acme.example", "Aisha Khan");
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);

        // Start from a card button: the page comes back as a new card message with each account's buttons.
        var before = app.Connector.Activities.Count;
        await InvokeAsync(app, "access.start", new JsonObject { ["review"] = $"{id}" });
        var page = Card(Assert.Single(app.Connector.Activities.Skip(before)));
        Assert.Contains("0/8 decided", page.ToJsonString());

        // Revoke turns the card into the reason form (the invoke answers with the updated card).
        var revoke = ActionData(page, "access.revoke", "ethan-b");
        var formCard = (await InvokeAsync(app, "access.revoke", revoke))["value"]!;
        Assert.Contains(Descendants(formCard), n => (string?)n["type"] == "Input.Text" && (string?)n["id"] == "reason");

        var data = ActionData(formCard, "access.revoke-reason");
        data["reason"] = "";
        var invalid = await InvokeAsync(app, "access.revoke-reason", data);
        Assert.Contains("needs a reason", invalid.ToJsonString());

        data = ActionData(formCard, "access.revoke-reason");
        data["reason"] = "Left in October";
        var updated = await InvokeAsync(app, "access.revoke-reason", data);

        Assert.Contains("1/8 decided", updated.ToJsonString());
        await using var scope = app.Scope();
        var item = await BotApplication.Db(scope).AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "ethan-b");
        Assert.Equal(AccessDecision.Revoke, item.Decision);
        Assert.Equal("Left in October", item.Reason);
    }
}
