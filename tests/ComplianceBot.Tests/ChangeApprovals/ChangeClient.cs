using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ComplianceBot.Tests.ChangeApprovals;

/// <summary>Talks to the bot the way a pipeline (POST /api/changes) and people (web chat, inbox) do.</summary>
public static class ChangeClient
{
    public const string Grace = "grace.liu@acme.example";      // manager: Daniel Levi
    public const string Daniel = "daniel.levi@acme.example";
    public const string James = "james.okafor@acme.example";   // change advisory; manager of Rachel
    public const string Priya = "priya.nair@acme.example";     // change advisory
    public const string Rachel = "rachel.kim@acme.example";    // change advisory
    public const string Omar = "omar.haddad@acme.example";     // no role
    public const string Dana = "dana.reyes@acme.example";      // compliance admin

    public static Dictionary<string, object?> Change(string requester, string risk = "medium", string? author = null, string? callbackUrl = null) => new()
    {
        ["title"] = "Enable branch protection on acme/app",
        ["description"] = "Require two reviews before merging to main.",
        ["system"] = "GitHub",
        ["risk"] = risk,
        ["requesterEmail"] = requester,
        ["authorEmail"] = author,
        ["links"] = new[] { "https://github.com/acme/app/pull/42" },
        ["rollbackPlan"] = "Turn the rule off again in repository settings.",
        ["testEvidence"] = "Tried on acme/sandbox first.",
        ["plannedWindow"] = "1 Dec 2026 22:00–23:00 UTC",
        ["callbackUrl"] = callbackUrl,
    };

    public static async Task<int> SubmitAsync(HttpClient admin, Dictionary<string, object?> change)
    {
        var response = await admin.PostAsJsonAsync("/api/changes", change);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    public static async Task<JsonElement> StatusAsync(HttpClient admin, int id) =>
        await admin.GetFromJsonAsync<JsonElement>($"/api/changes/{id}");

    public static Dictionary<string, string> About(int id, params (string Key, string Value)[] extra)
    {
        var data = new Dictionary<string, string> { ["change"] = id.ToString(CultureInfo.InvariantCulture) };
        foreach (var (key, value) in extra)
        {
            data[key] = value;
        }

        return data;
    }

    public static async Task<JsonElement> SayAsync(HttpClient client, string user, string text) =>
        await RepliesAsync(await client.PostAsJsonAsync("/api/chat", new { user, text }));

    public static async Task<JsonElement> ActAsync(HttpClient client, string user, string actionId, Dictionary<string, string> data) =>
        await RepliesAsync(await client.PostAsJsonAsync("/api/chat", new { user, action = new { id = actionId, data } }));

    /// <summary>The person's proactive messages (cards as they are now, after any updates).</summary>
    public static async Task<List<JsonElement>> InboxAsync(HttpClient client, string user) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"/api/chat/inbox?user={user}")).EnumerateArray().Select(m => m.GetProperty("reply"))];

    public static async Task<JsonElement> CardAsync(HttpClient client, string user, int id) =>
        (await InboxAsync(client, user)).Last(r => r.GetProperty("title").GetString() == $"Change #{id}: Enable branch protection on acme/app");

    public static List<string> ActionIds(JsonElement reply) =>
        [.. reply.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("id").GetString()!)];

    public static Dictionary<string, string> Fields(JsonElement reply) =>
        reply.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("label").GetString()!, f => f.GetProperty("value").GetString()!);

    private static async Task<JsonElement> RepliesAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replies");
    }
}
