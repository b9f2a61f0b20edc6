using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Conversations;

namespace ComplianceBot.Tests.Channels.Slack;

public sealed class SlackRendererTests
{
    private static IEnumerable<JsonNode> AllBlocks(IEnumerable<SlackMessage> messages) => messages.SelectMany(m => m.Blocks).Select(b => b!);

    private static string AllText(IEnumerable<SlackMessage> messages) =>
        string.Concat(AllBlocks(messages).Where(b => b["type"]!.GetValue<string>() == "section" && b["text"] is not null).Select(b => b["text"]!["text"]!.GetValue<string>()));

    [Fact]
    public void LongTextIsSplitIntoSectionsWithinTheLimitWithoutLosingAWord()
    {
        var words = Enumerable.Range(0, 2000).Select(i => $"word{i}").ToList();
        var messages = SlackRenderer.Render(new Reply(string.Join(' ', words)));

        var sections = AllBlocks(messages).Select(b => b["text"]!["text"]!.GetValue<string>()).ToList();
        Assert.True(sections.Count > 1);
        Assert.All(sections, s => Assert.True(s.Length <= SlackRenderer.MaxSectionText));
        Assert.Equal(words, sections.SelectMany(s => s.Split(' ')));
    }

    [Fact]
    public void AReplyNeedingMoreThanFiftyBlocksContinuesInFurtherMessages()
    {
        var items = Enumerable.Range(1, 40).Select(i => new ReplyItem($"Task {i}") { Actions = [new ReplyAction("tasks.details", "Details", new Dictionary<string, string> { ["task"] = $"{i}" })] }).ToList();
        var messages = SlackRenderer.Render(new Reply("Your tasks") { Title = "My tasks", Items = items });

        Assert.True(messages.Count >= 2);
        Assert.All(messages, m => Assert.True(m.Blocks.Count <= SlackRenderer.MaxMessageBlocks));
        Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m.Text)));
        Assert.Equal("My tasks: Your tasks (part 2 of 2)", messages[1].Text);
        // Every item and its button survive, and an item never loses its button to the next message.
        var texts = AllText(messages);
        Assert.All(Enumerable.Range(1, 40), i => Assert.Contains($"Task {i}", texts, StringComparison.Ordinal));
        Assert.All(messages, m => Assert.Equal("actions", m.Blocks[^1]!["type"]!.GetValue<string>()));
        var values = AllBlocks(messages).Where(b => b["type"]!.GetValue<string>() == "actions").Select(b => SlackRenderer.DecodeValue(b["elements"]![0]!["value"]!.GetValue<string>())["task"]);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"{i}"), values);
    }

    [Fact]
    public void ElevenFieldsNeedTwoSections()
    {
        var fields = Enumerable.Range(1, 11).Select(i => new ReplyField($"F{i}", $"v{i}")).ToList();
        var blocks = SlackRenderer.Render(new Reply("x") { Fields = fields }).Single().Blocks;

        var sections = blocks.Where(b => b!["fields"] is not null).ToList();
        Assert.Equal([10, 1], sections.Select(s => s!["fields"]!.AsArray().Count));
    }

    [Fact]
    public void AFieldTooLongForAFieldSlotGetsItsOwnSections()
    {
        var blocks = SlackRenderer.Render(new Reply("x") { Fields = [new("Statement", new string('s', 4500))] }).Single().Blocks;

        var text = string.Concat(blocks.Skip(1).Select(b => b!["text"]!["text"]!.GetValue<string>()));
        Assert.Equal(4500, text.Count(c => c == 's'));
    }

    [Fact]
    public void ThirtyButtonsUseTwoActionBlocksAndRepeatedIdsStayUniqueWithinABlock()
    {
        var actions = Enumerable.Range(1, 30).Select(i => new ReplyAction("reviews.keep", $"Keep {i}", new Dictionary<string, string> { ["account"] = $"{i}" })).ToList();
        var blocks = SlackRenderer.Render(new Reply("Accounts") { Actions = actions }).Single().Blocks.Where(b => b!["type"]!.GetValue<string>() == "actions").ToList();

        Assert.Equal([25, 5], blocks.Select(b => b!["elements"]!.AsArray().Count));
        var ids = blocks[0]!["elements"]!.AsArray().Select(e => e!["action_id"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal("reviews.keep", SlackRenderer.FlowActionId(id)));
    }

    [Fact]
    public void ButtonsCarryStyleConfirmationAndTheirDataAsCompactJson()
    {
        var reply = new Reply("Decide") { Actions = [new ReplyAction("changes.reject", "Reject", new Dictionary<string, string> { ["change"] = "CR-7", ["note"] = "a \"quoted\" <b>" }, ActionStyle.Danger) { Confirm = "Reject CR-7?" }] };

        var button = SlackRenderer.Render(reply).Single().Blocks.Single(b => b!["type"]!.GetValue<string>() == "actions")!["elements"]![0]!;

        Assert.Equal("danger", button["style"]!.GetValue<string>());
        Assert.Equal("Reject CR-7?", button["confirm"]!["text"]!["text"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["change"] = "CR-7", ["note"] = "a \"quoted\" <b>" }, SlackRenderer.DecodeValue(button["value"]!.GetValue<string>()));
    }

    [Fact]
    public void MarkupCharactersAreEscapedSoFlowTextCannotPingChannels()
    {
        var text = SlackRenderer.Render(new Reply("<!channel> & <@U123>")).Single().Blocks[0]!["text"]!["text"]!.GetValue<string>();

        Assert.Equal("&lt;!channel&gt; &amp; &lt;@U123&gt;", text);
    }

    [Fact]
    public void CitationsAreListedAsSources()
    {
        var blocks = SlackRenderer.Render(new Reply("CC6.1 requires…") { Citations = [new("CC6.1", "Logical access", "knowledge/criteria/CC6.1.md")] }).Single().Blocks;

        var context = blocks.Single(b => b!["type"]!.GetValue<string>() == "context")!.ToJsonString();
        Assert.Contains("CC6.1 Logical access", context);
    }

    [Fact]
    public void AFormRoundTripsThroughAModal()
    {
        var form = new ReplyForm("Quarterly access review for the AWS production account", "reviews.submit", "Complete the review",
        [
            new ReplyInput("decision", "Decision", InputKind.Choice) { Required = true, Value = "keep", Options = [.. Enumerable.Range(1, 8).Select(i => new ChoiceOption(i == 1 ? "keep" : $"o{i}", $"Option {i}"))] },
            new ReplyInput("reason", "Reason", InputKind.Text) { Required = true, Value = "still needed" },
            new ReplyInput("notes", "Notes", InputKind.MultilineText),
        ])
        { Data = new Dictionary<string, string> { ["review"] = "17" } };
        var context = SlackResponder.ContextFor(form, "D123", "1700000000.000100");

        var view = SlackRenderer.RenderModal(form, "Review each account.", context);

        Assert.True(view["title"]!["text"]!.GetValue<string>().Length <= SlackRenderer.MaxViewTitle);
        Assert.True(view["submit"]!["text"]!.GetValue<string>().Length <= SlackRenderer.MaxViewTitle);
        // The full title is not lost when Slack's 24-character title cannot hold it.
        Assert.Contains(form.Title, view["blocks"]!.ToJsonString());
        var inputs = view["blocks"]!.AsArray().Where(b => b!["type"]!.GetValue<string>() == "input").ToList();
        Assert.Equal("static_select", inputs[0]!["element"]!["type"]!.GetValue<string>());
        Assert.Equal("keep", inputs[0]!["element"]!["initial_option"]!["value"]!.GetValue<string>());
        Assert.Equal("still needed", inputs[1]!["element"]!["initial_value"]!.GetValue<string>());
        Assert.True(inputs[2]!["element"]!["multiline"]!.GetValue<bool>());

        // Slack sends back state.values[block_id][action_id]; reading them gives the flow its input ids again.
        var state = new JsonObject
        {
            ["decision"] = new JsonObject { [SlackRenderer.InputActionId] = new JsonObject { ["type"] = "static_select", ["selected_option"] = new JsonObject { ["value"] = "o3" } } },
            ["reason"] = new JsonObject { [SlackRenderer.InputActionId] = new JsonObject { ["type"] = "plain_text_input", ["value"] = "left the company" } },
            ["notes"] = new JsonObject { [SlackRenderer.InputActionId] = new JsonObject { ["type"] = "plain_text_input", ["value"] = null } },
        };
        var values = SlackRenderer.ReadValues(JsonDocument.Parse(state.ToJsonString()).RootElement);
        Assert.Equal(new Dictionary<string, string> { ["decision"] = "o3", ["reason"] = "left the company", ["notes"] = "" }, values);

        var back = SlackFormContext.Parse(view["private_metadata"]!.GetValue<string>())!;
        Assert.Equal("reviews.submit", back.SubmitActionId);
        Assert.Equal("17", back.Data!["review"]);
        Assert.Equal(["decision", "reason"], back.Required);
        Assert.Equal(("D123", "1700000000.000100"), (back.Channel, back.MessageTs));
    }

    [Fact]
    public void ErrorsAlreadyOnAFormShowAsHintsUnderTheirInputs()
    {
        var form = FormTestFlow.Form() with { Errors = new Dictionary<string, string> { ["notes"] = "Too short" } };

        var view = SlackRenderer.RenderModal(form, null, SlackResponder.ContextFor(form, null, null));

        var notes = view["blocks"]!.AsArray().Single(b => b!["block_id"]?.GetValue<string>() == "notes")!;
        Assert.Contains("Too short", notes["hint"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void AFormTooBigForAModalIsRefusedLoudly()
    {
        var form = new ReplyForm("Huge", "x.submit", "Go", [.. Enumerable.Range(0, 101).Select(i => new ReplyInput($"i{i}", $"Input {i}"))]);

        var error = Assert.Throws<InvalidOperationException>(() => SlackRenderer.RenderModal(form, null, SlackResponder.ContextFor(form, null, null)));
        Assert.Contains("100", error.Message);
    }

    [Fact]
    public void TheHomeTabSaysWhenThereIsMoreThanFits()
    {
        var replies = Enumerable.Range(0, 3).Select(r => new Reply($"List {r}") { Items = [.. Enumerable.Range(0, 30).Select(i => new ReplyItem($"Item {r}.{i}") { Actions = [new ReplyAction("tasks.details", "Details")] })] });

        var home = SlackRenderer.RenderHome(replies, "More: message me \"tasks\".");

        var blocks = home["blocks"]!.AsArray();
        Assert.True(blocks.Count <= SlackRenderer.MaxModalBlocks);
        Assert.Contains("More: message me", blocks[^1]!.ToJsonString());
    }

    [Fact]
    public void AFormInAMessageIsAnOpenButtonCarryingTheStoredFormId()
    {
        var blocks = SlackRenderer.Render(new Reply("Please attest.") { Form = FormTestFlow.Form() }, "form123").Single().Blocks;

        var accessory = blocks.Select(b => b!["accessory"]).Single(a => a is not null)!;
        Assert.Equal(SlackRenderer.OpenFormActionId, accessory["action_id"]!.GetValue<string>());
        Assert.Equal("form123", accessory["value"]!.GetValue<string>());
    }
}
