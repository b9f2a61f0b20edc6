using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Tests.Fakes;
using static ComplianceBot.Tests.Channels.Slack.SlackPayloads;

namespace ComplianceBot.Tests.Channels.Slack;

public sealed class SlackInteractionsTests(SlackBot bot) : IClassFixture<SlackBot>
{
    [Fact]
    public async Task AButtonRunsTheFlowActionAndUpdatesTheSourceMessage()
    {
        var response = await bot.PostInteractionAsync(BlockAction(SlackBot.DanaUserId, "DBUTTON", "1796392800.000300", "tasks.list", """{"page":"2"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var update = await bot.Slack.WaitForAsync(c => c.Method == "chat.update" && c.Arg("channel") == "DBUTTON");
        Assert.Equal("1796392800.000300", update.Arg("ts"));
        Assert.Contains("My tasks", update.Arg("text"));
    }

    [Fact]
    public async Task AFormInAPlainMessageBecomesAButtonThatOpensTheModal()
    {
        await bot.PostEventAsync("EvForm", SlackBot.DirectMessage(SlackBot.DanaUserId, "DFORM", "formtest"));
        var post = await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DFORM");
        var button = post.Args["blocks"]!.AsArray().Select(b => b!["accessory"]).Single(a => a?["action_id"]?.GetValue<string>() == SlackRenderer.OpenFormActionId)!;

        await bot.PostInteractionAsync(BlockAction(SlackBot.DanaUserId, "DFORM", "1796392800.000400", SlackRenderer.OpenFormActionId, button["value"]!.GetValue<string>(), "trigger-form"));

        var open = await bot.Slack.WaitForAsync(c => c.Method == "views.open" && c.Arg("trigger_id") == "trigger-form");
        var view = open.Args["view"]!;
        Assert.Equal("modal", view["type"]!.GetValue<string>());
        var inputs = view["blocks"]!.AsArray().Where(b => b!["type"]!.GetValue<string>() == "input").ToList();
        Assert.Equal(["statement", "notes"], inputs.Select(b => b!["block_id"]!.GetValue<string>()));
        Assert.False(inputs[0]!["optional"]!.GetValue<bool>());
        Assert.True(inputs[1]!["optional"]!.GetValue<bool>());

        // Submitting it records through the flow and replaces the message the button was on.
        var submit = await bot.PostInteractionAsync(ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = Selected("performed"), ["notes"] = Typed("all good") }));
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
        Assert.Equal("", await submit.Content.ReadAsStringAsync());
        var update = await bot.Slack.WaitForAsync(c => c.Method == "chat.update" && c.Arg("channel") == "DFORM");
        Assert.Equal("1796392800.000400", update.Arg("ts"));
        Assert.Equal("Recorded performed for task 42: all good", update.Arg("text"));
    }

    [Fact]
    public async Task ModalSubmissionMissingARequiredFieldAnswersResponseActionErrors()
    {
        var view = SlackRenderer.RenderModal(FormTestFlow.Form(), null, SlackResponder.ContextFor(FormTestFlow.Form(), "DMISSING", null));

        var response = await bot.PostInteractionAsync(ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = new JsonObject { ["type"] = "radio_buttons", ["selected_option"] = null }, ["notes"] = Typed("x") }));

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("errors", body.GetProperty("response_action").GetString());
        Assert.True(body.GetProperty("errors").TryGetProperty("statement", out _));
        Assert.DoesNotContain(bot.Slack.Calls, c => c.Arg("channel") == "DMISSING");
    }

    [Fact]
    public async Task ValidationErrorsFromTheFlowAreShownUnderTheRightInput()
    {
        var view = SlackRenderer.RenderModal(FormTestFlow.Form(), null, SlackResponder.ContextFor(FormTestFlow.Form(), "DINVALID", null));

        var response = await bot.PostInteractionAsync(ViewSubmission(SlackBot.DanaUserId, view, new() { ["statement"] = Selected("exceptions"), ["notes"] = Typed("bad") }));

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("errors", body.GetProperty("response_action").GetString());
        Assert.Equal("Too short", body.GetProperty("errors").GetProperty("notes").GetString());
    }

    [Fact]
    public async Task ViewClosedIsAcknowledged()
    {
        var response = await bot.PostInteractionAsync(new JsonObject
        {
            ["type"] = "view_closed", ["team"] = new JsonObject { ["id"] = FakeSlack.TeamId }, ["user"] = new JsonObject { ["id"] = SlackBot.DanaUserId },
            ["view"] = new JsonObject { ["id"] = "V1", ["callback_id"] = SlackRenderer.FormCallbackId }, ["is_cleared"] = false,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task InteractionWithoutPayloadIsA400()
    {
        var response = await bot.PostSignedAsync("/slack/interactions", "nothing=here", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task SlashCommandAcksEphemerallyThenAnswersThroughTheResponseUrl()
    {
        var response = await bot.PostCommandAsync(SlackBot.DanaUserId, "CGENERAL", "tasks", "cmd-tasks");

        var ack = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ephemeral", ack.GetProperty("response_type").GetString());
        var answer = await bot.Slack.WaitForAsync(c => c.Method == "response_url" && c.Arg("_response_id") == "cmd-tasks");
        Assert.StartsWith("My tasks", answer.Arg("text"));
        Assert.Equal("ephemeral", answer.Arg("response_type"));
        Assert.NotEmpty(answer.Args["blocks"]!.AsArray());
    }

    [Fact]
    public async Task SlashCommandOpensAFormAsAModalStraightAway()
    {
        await bot.PostCommandAsync(SlackBot.DanaUserId, "CGENERAL", "formtest", "cmd-form", "trigger-command");

        var open = await bot.Slack.WaitForAsync(c => c.Method == "views.open" && c.Arg("trigger_id") == "trigger-command");
        Assert.Contains("Attest CC6.1", open.Args["view"]!.ToJsonString());
    }

    [Theory]
    [InlineData("")]
    public async Task SlashCommandWithoutAQuestionShowsHelp(string text)
    {
        var id = "cmd-help-" + text;
        await bot.PostCommandAsync(SlackBot.DanaUserId, "CGENERAL", text, id);

        var answer = await bot.Slack.WaitForAsync(c => c.Method == "response_url" && c.Arg("_response_id") == id);
        Assert.Contains("What I can do", answer.Arg("text"));
    }
}
