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

    private const string PriyaMri = "29:priya-mri";
    private const string PriyaAad = "aad-priya";

    private static async Task<JsonNode> InvokeAsync(TeamsApplication app, string verb, JsonObject data, string mri = AishaMri, string aad = AishaAad)
    {
        var response = await app.PostAsync(TeamsActivities.CardAction(app.Connector.ServiceUrl, verb, data, mri, aad, "1:7"));
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

    [Fact]
    public async Task EscalateInTeamsTakesThePersonAndQuestionInTheCardAndTheAnswerComesBack()
    {
        await using var app = new TeamsApplication();
        app.AddMember(AishaMri, AishaAad, "aisha.khan@acme.example", "Aisha Khan");
        app.AddMember(PriyaMri, PriyaAad, "priya.nair@acme.example", "Priya Nair");
        // Priya has talked to the bot in Teams before, so her DMs go there.
        Assert.Equal(HttpStatusCode.OK, (await app.PostAsync(TeamsActivities.Message(app.Connector.ServiceUrl, "help", PriyaMri, PriyaAad))).StatusCode);
        var chat = new ReviewChat(app);
        await chat.ImportAsync("GitHub", "2026-Q3", ReviewChat.GitHubQ3);
        var id = await chat.ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        var before = app.Connector.Activities.Count;
        await InvokeAsync(app, "access.start", new JsonObject { ["review"] = $"{id}" });
        var page = Card(app.Connector.Activities.Skip(before).Last());

        // Escalate turns the card into the form: a person choice and the question, inline.
        var formCard = (await InvokeAsync(app, "access.escalate", ActionData(page, "access.escalate", "ci-bot")))["value"]!;
        Assert.Equal("Input.ChoiceSet", (string?)Input(formCard, "person")["type"]);
        Assert.Contains("priya.nair@acme.example", Choices(Input(formCard, "person")));
        Assert.Equal("Input.Text", (string?)Input(formCard, "question")["type"]);

        var data = ActionData(formCard, "access.escalate-ask");
        data["person"] = "ethan.brooks@acme.example";
        data["question"] = "What is ci-bot?";
        Assert.Contains("has left the company", (await InvokeAsync(app, "access.escalate-ask", data)).ToJsonString());

        before = app.Connector.Activities.Count;
        data = ActionData(formCard, "access.escalate-ask");
        data["person"] = "priya.nair@acme.example";
        data["question"] = "Is ci-bot the platform deploy user?";
        Assert.Contains("ci-bot: asked Priya Nair.", (await InvokeAsync(app, "access.escalate-ask", data)).ToJsonString());

        // Priya's card: the question and her buttons; she recommends keeping it in words.
        var question = app.Connector.Activities.Skip(before).Select(Card).Single(c => c.ToJsonString().Contains("asks you about ci-bot", StringComparison.Ordinal));
        var answerForm = (await InvokeAsync(app, "access.answer-form", ActionData(question, "access.answer-form", "ci-bot"), PriyaMri, PriyaAad))["value"]!;
        var answer = ActionData(answerForm, "access.answer");
        answer["answer"] = "It is the platform deploy user; keep it";
        before = app.Connector.Activities.Count;
        Assert.Contains("is with Aisha Khan", (await InvokeAsync(app, "access.answer", answer, PriyaMri, PriyaAad)).ToJsonString());

        // Aisha's card carries the answer and the account's Keep button.
        var back = app.Connector.Activities.Skip(before).Select(Card).Single(c => c.ToJsonString().Contains("Priya Nair: It is the platform deploy user; keep it", StringComparison.Ordinal));
        Assert.Contains("1/8 decided", (await InvokeAsync(app, "access.keep", ActionData(back, "access.keep", "ci-bot"))).ToJsonString());
        await using var scope = app.Scope();
        Assert.Equal(AccessDecision.Keep, (await BotApplication.Db(scope).AccessReviewItems.SingleAsync(i => i.ReviewId == id && i.AccountId == "ci-bot")).Decision);
    }
}
