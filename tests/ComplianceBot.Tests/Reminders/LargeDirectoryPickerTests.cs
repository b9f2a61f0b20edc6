using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Conversations;
using ComplianceBot.People;
using ComplianceBot.Reminders;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Slack;
using ComplianceBot.Tests.Channels.Teams;
using ComplianceBot.Tests.Channels.Web;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.Reminders;

/// <summary>"Not mine" and every people picker in a directory of more than 100 people (Slack's static select limit).</summary>
public sealed class LargeDirectoryPickerTests
{
    private const int ExtraPeople = 150;

    [Fact]
    public async Task NotMineSearchesTheDirectoryInsteadOfListingEveryone()
    {
        using var app = new BotApplication();
        await AddPeopleAsync(app);
        var task = await OpenTaskAsync(app, "dana.reyes@acme.example");
        var chat = new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example");

        var form = (await chat.ClickAsync(ReminderFlow.NotMineAction, new Dictionary<string, string> { ["task"] = task.ToString(CultureInfo.InvariantCulture) }))[0];
        var person = form.GetProperty("form").GetProperty("inputs").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "person");
        var found = await app.CreateClient().GetFromJsonAsync<JsonElement>("/api/chat/choices?dataset=people.active&q=Worker%20117");
        var done = (await chat.SubmitAsync(form, new Dictionary<string, string> { ["person"] = "worker117@acme.example", ["reason"] = "Moved teams" }))[0];

        Assert.Equal("people.active", person.GetProperty("dataset").GetString());
        Assert.Empty(person.GetProperty("options").EnumerateArray());
        Assert.Equal(["worker117@acme.example"], found.EnumerateArray().Select(o => o.GetProperty("value").GetString()));
        Assert.Contains("Reassigned", done.GetProperty("text").GetString());
    }

    [Fact]
    public void SlackRendersASearchedChoiceAsAnExternalSelect()
    {
        var form = new ReplyForm("Reassign AC-01", ReminderFlow.ReassignAction, "Reassign",
            [new ReplyInput("person", "New owner", InputKind.Choice) { Required = true, Dataset = ActivePeopleChoices.Name, Options = [new("a@acme.example", "A")], Value = "a@acme.example" }]);

        var modal = SlackRenderer.RenderModal(form, null, new SlackFormContext(ReminderFlow.ReassignAction, null, ["person"], "C1", "1.2"));

        var element = modal["blocks"]!.AsArray().Single(b => (string?)b!["block_id"] == "person")!["element"]!;
        Assert.Equal("external_select", (string?)element["type"]);
        Assert.Equal(SlackRenderer.SearchActionPrefix + ActivePeopleChoices.Name, (string?)element["action_id"]);
        Assert.Equal("a@acme.example", (string?)element["initial_option"]!["value"]);
        Assert.Null(element["options"]);
    }

    [Fact]
    public async Task SlacksOptionsLoadRequestIsAnsweredWithMatchingPeople()
    {
        await using var bot = new SlackBot();
        await bot.InitializeAsync();
        await AddPeopleAsync(bot.App);
        var payload = new JsonObject
        {
            ["type"] = "block_suggestion",
            ["user"] = new JsonObject { ["id"] = SlackBot.DanaUserId, ["team_id"] = "T1" },
            ["team"] = new JsonObject { ["id"] = "T1", ["domain"] = "acme" },
            ["api_app_id"] = "A1",
            ["action_id"] = SlackRenderer.SearchActionPrefix + ActivePeopleChoices.Name,
            ["block_id"] = "person",
            ["value"] = "worker 1",
            ["container"] = new JsonObject { ["type"] = "view", ["view_id"] = "V1" },
        };

        var response = await bot.PostInteractionAsync(payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var options = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("options").EnumerateArray().ToList();
        Assert.InRange(options.Count, 2, 100);
        Assert.All(options, o => Assert.StartsWith("Worker 1", o.GetProperty("text").GetProperty("text").GetString()));
        Assert.Equal("plain_text", options[0].GetProperty("text").GetProperty("type").GetString());
    }

    [Fact]
    public void TeamsRendersASearchedChoiceWithADataQuery()
    {
        var reply = new Reply("Who?")
        {
            Form = new ReplyForm("Reassign", ReminderFlow.ReassignAction, "Reassign", [new ReplyInput("person", "New owner", InputKind.Choice) { Dataset = ActivePeopleChoices.Name }]),
        };

        var card = TeamsRenderer.Render(reply).Single();

        var input = TeamsCards.Descendants(card).Single(n => (string?)n["id"] == "person");
        Assert.Equal("Input.ChoiceSet", (string?)input["type"]);
        Assert.Equal("filtered", (string?)input["style"]);
        Assert.Equal("Data.Query", (string?)input["choices.data"]!["type"]);
        Assert.Equal(ActivePeopleChoices.Name, (string?)input["choices.data"]!["dataset"]);
    }

    [Fact]
    public async Task TeamsTypeaheadSearchInvokeIsAnsweredWithMatchingPeople()
    {
        using var app = new TeamsApplication();
        await AddPeopleAsync(app);
        var activity = TeamsActivities.Base("invoke", app.Connector.ServiceUrl, "29:dana", "aad-dana");
        activity["name"] = "application/search";
        activity["value"] = new JsonObject
        {
            ["queryText"] = "worker 14",
            ["queryOptions"] = new JsonObject { ["skip"] = 0, ["top"] = 15 },
            ["dataset"] = ActivePeopleChoices.Name,
        };

        var response = await app.PostAsync(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("application/vnd.microsoft.search.searchResponse", body.GetProperty("type").GetString());
        var results = body.GetProperty("value").GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(11, results.Count); // Worker 14, 140–149
        Assert.All(results, r => Assert.EndsWith("@acme.example", r.GetProperty("value").GetString()));
    }

    private static async Task AddPeopleAsync(BotApplication app)
    {
        await using var scope = app.Scope();
        var db = BotApplication.Db(scope);
        db.People.AddRange(Enumerable.Range(1, ExtraPeople).Select(i => new Person { Email = $"worker{i}@acme.example", Name = $"Worker {i}", Source = PersonSource.Scim }));
        await db.SaveChangesAsync();
    }

    private static async Task<int> OpenTaskAsync(BotApplication app, string email)
    {
        await using var scope = app.Scope();
        return await BotApplication.Db(scope).ControlTasks.Where(t => t.Assignee!.Email == email && t.Status == ControlTaskStatus.Open)
            .OrderBy(t => t.Id).Select(t => t.Id).FirstAsync();
    }
}
