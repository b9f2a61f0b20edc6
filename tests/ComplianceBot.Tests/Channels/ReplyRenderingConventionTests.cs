using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Channels.Web;
using ComplianceBot.Conversations;

namespace ComplianceBot.Tests.Channels;

/// <summary>
/// Every part of a <see cref="Reply"/> must reach the user on every channel. The sample sets every property to a
/// distinctive value (a new Reply property fails <see cref="TheSampleSetsEveryReplyProperty"/> until it is added here),
/// and each renderer's output must carry each value.
/// </summary>
public sealed class ReplyRenderingConventionTests
{
    private static readonly Reply Sample = new("TEXT-1")
    {
        Title = "TITLE-1",
        Details = "DETAILS-TEXT",
        Fields = [new ReplyField("FIELD-LABEL", "FIELD-VALUE")],
        Items = [new ReplyItem("ITEM-TEXT") { Fields = [new ReplyField("ITEM-FIELD-LABEL", "ITEM-FIELD-VALUE")], Actions = [new ReplyAction("item.act", "ITEM-BUTTON", new Dictionary<string, string> { ["k"] = "ITEM-DATA" })] }],
        Actions = [new ReplyAction("reply.act", "BUTTON", new Dictionary<string, string> { ["k"] = "BUTTON-DATA" }, ActionStyle.Danger) { Confirm = "CONFIRM-TEXT" }],
        Citations = [new Citation("CITATION-ID", "CITATION-TITLE", "CITATION-SOURCE")],
        Form = new ReplyForm("FORM-TITLE", "form.submit", "SUBMIT-LABEL",
            [
                new ReplyInput("input-text", "INPUT-LABEL", InputKind.MultilineText) { Required = true, Value = "INPUT-VALUE", Placeholder = "INPUT-PLACEHOLDER" },
                new ReplyInput("input-choice", "CHOICE-LABEL", InputKind.Choice) { Options = [new ChoiceOption("CHOICE-VALUE", "CHOICE-OPTION")] },
            ])
        {
            Data = new Dictionary<string, string> { ["k"] = "FORM-DATA" },
            Errors = new Dictionary<string, string> { ["input-text"] = "FORM-ERROR" },
        },
        Refresh = new UserSpecificView("refresh.view", new Dictionary<string, string> { ["k"] = "REFRESH-DATA" }, [1]),
        UpdatesSource = true,
    };

    /// <summary>What a channel must show or carry, excluding parts a channel legitimately expresses differently.</summary>
    private static readonly string[] Markers =
    [
        "TEXT-1", "TITLE-1", "DETAILS-TEXT", "FIELD-LABEL", "FIELD-VALUE", "ITEM-TEXT", "ITEM-FIELD-LABEL", "ITEM-FIELD-VALUE", "item.act", "ITEM-BUTTON", "ITEM-DATA",
        "reply.act", "BUTTON", "BUTTON-DATA", "CONFIRM-TEXT", "CITATION-ID", "CITATION-TITLE", "CITATION-SOURCE",
        "FORM-TITLE", "form.submit", "SUBMIT-LABEL", "FORM-DATA", "FORM-ERROR", "input-text", "INPUT-LABEL", "INPUT-VALUE", "INPUT-PLACEHOLDER",
        "input-choice", "CHOICE-LABEL", "CHOICE-VALUE", "CHOICE-OPTION",
    ];

    private static string Strings(JsonNode? node) => node switch
    {
        JsonObject o => string.Join("\n", o.Select(p => p.Key + "\n" + Strings(p.Value))),
        JsonArray a => string.Join("\n", a.Select(Strings)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        _ => "",
    };

    [Fact]
    public void TheSampleSetsEveryReplyProperty()
    {
        foreach (var property in typeof(Reply).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != nameof(Reply.Fallback)))
        {
            var value = property.GetValue(Sample);
            Assert.False(value is null or false or System.Collections.ICollection { Count: 0 }, $"The convention sample does not set Reply.{property.Name}: add it to the sample and to every renderer.");
        }
    }

    [Fact]
    public void EveryReplyElementRendersInTeamsAdaptiveCards()
    {
        var cards = TeamsRenderer.Render(Sample, ["29:person-1"]);
        var rendered = string.Join("\n", cards.Select(Strings));

        Assert.All(Markers, m => Assert.Contains(m, rendered));
        var card = cards[^1];
        Assert.Equal("refresh.view", (string?)card["refresh"]!["action"]!["verb"]);
        Assert.Contains("REFRESH-DATA", Strings(card["refresh"]));
        Assert.Contains("29:person-1", Strings(card["refresh"]));
        Assert.Contains("destructive", rendered);
    }

    [Fact]
    public void EveryReplyElementRendersInTheWebChat()
    {
        var rendered = Strings(JsonSerializer.SerializeToNode(WebRenderer.Render(Sample), JsonSerializerOptions.Web));

        Assert.All(Markers, m => Assert.Contains(m, rendered));
        Assert.Contains("danger", rendered);
        Assert.Contains("updatesSource\ntrue", rendered);
    }

    [Fact]
    public void EveryReplyElementRendersInSlackBlockKit()
    {
        // Slack shows a form as a modal opened from the message, so the message and its modal together carry everything.
        var messages = SlackRenderer.Render(Sample, formId: "form-1");
        var modal = SlackRenderer.RenderModal(Sample.Form!, Sample.Text, new SlackFormContext(Sample.Form!.SubmitActionId, Sample.Form.Data, ["input-text"], "D1", "1.2"));
        var rendered = string.Join("\n", messages.Select(m => m.Text + "\n" + Strings(m.Blocks))) + "\n" + Strings(modal);

        Assert.All(Markers, m => Assert.Contains(m, rendered));
        Assert.Contains("danger", rendered);
        Assert.Contains(SlackRenderer.OpenFormActionId, rendered);
    }
}
