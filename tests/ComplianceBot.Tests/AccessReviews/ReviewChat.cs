using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ComplianceBot.Tests.AccessReviews;

/// <summary>Drives access reviews the way a person does: admin import over HTTP, then clicks and form submits through the web chat.</summary>
internal sealed class ReviewChat(BotApplication app)
{
    private readonly HttpClient _admin = app.CreateAdminClient();
    private readonly HttpClient _chat = app.CreateClient();

    /// <summary>The demo GitHub export for 2026-Q3: the baseline the Q4 review is compared with.</summary>
    public const string GitHubQ3 = """
        account_id,display_name,email,role,last_login,teams
        aisha-k,Aisha Khan,aisha.khan@acme.example,admin,2026-08-20,platform
        liam-w,Liam Walsh,liam.walsh@acme.example,member,2026-08-25,web
        sofia-m,Sofia Martinez,sofia.martinez@acme.example,member,2026-08-01,web
        grace-l,Grace Liu,grace.liu@acme.example,member,2026-08-26,data
        ethan-b,Ethan Brooks,ethan.brooks@acme.example,member,2026-08-01,web
        arjun-m,Arjun Mehta,arjun.mehta@acme.example,member,2026-08-10,infra
        omar-h,Omar Haddad,omar.haddad@acme.example,member,2026-07-10,sales
        """;

    /// <summary>
    /// 2026-Q4: 8 accounts — 2 new (nina-p, ci-bot), 4 flagged (aisha-k self+privileged, ethan-b left, arjun-m promoted to admin,
    /// ci-bot with no owner and no login); omar-h removed; liam-w, sofia-m, grace-l unchanged and unflagged.
    /// </summary>
    public const string GitHubQ4 = """
        account_id,display_name,email,role,last_login,teams
        aisha-k,Aisha Khan,aisha.khan@acme.example,admin,2026-11-20,platform
        liam-w,Liam Walsh,liam.walsh@acme.example,member,2026-11-25,web
        sofia-m,Sofia Martinez,sofia.martinez@acme.example,member,2026-11-01,web
        grace-l,Grace Liu,grace.liu@acme.example,member,2026-11-26,data
        ethan-b,Ethan Brooks,ethan.brooks@acme.example,member,2026-11-02,web
        arjun-m,Arjun Mehta,arjun.mehta@acme.example,admin,2026-11-10,infra
        nina-p,Nina Patel,nina.patel@acme.example,member,2026-11-20,"finance, ops"
        ci-bot,CI Bot,,member,,
        """;

    public HttpClient Admin => _admin;

    public async Task<HttpResponseMessage> PostCsvAsync(string query, string csv) =>
        await _admin.PostAsync($"/api/admin/access-reviews?{query}", new StringContent(csv, Encoding.UTF8, "text/csv"));

    /// <summary>Imports the export as a draft and starts it with the binding the draft proposes (what an admin does after the preview).</summary>
    public async Task<int> ImportAsync(string system, string period, string csv, string? reviewer = null)
    {
        var draft = await ImportDraftAsync(system, period, csv, reviewer);
        var id = draft.GetProperty("id").GetInt32();
        await StartReviewAsync(id, draft.GetProperty("controlId").GetString()!, draft.GetProperty("reviewer").GetString()!);
        return id;
    }

    /// <summary>Imports the export as a draft; answers with its preview.</summary>
    public async Task<JsonElement> ImportDraftAsync(string system, string period, string csv, string? reviewer = null)
    {
        var query = $"system={Uri.EscapeDataString(system)}&period={period}" + (reviewer is null ? "" : $"&reviewer={Uri.EscapeDataString(reviewer)}");
        var response = await PostCsvAsync(query, csv);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var draft = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Draft", draft.GetProperty("status").GetString());
        return draft;
    }

    public async Task<JsonElement> StartReviewAsync(int id, string control, string reviewer)
    {
        var response = await _admin.PostAsJsonAsync($"/api/admin/access-reviews/{id}/start", new { control, reviewer });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> ReviewAsync(int id) => await _admin.GetFromJsonAsync<JsonElement>($"/api/admin/access-reviews/{id}");

    public async Task<JsonElement> SayAsync(string user, string text) => await PostAsync(new { user, text });

    public async Task<JsonElement> StartAsync(string user, int reviewId) =>
        await PostAsync(new { user, action = new { id = "access.start", data = new Dictionary<string, string> { ["review"] = reviewId.ToString(System.Globalization.CultureInfo.InvariantCulture) } } });

    /// <summary>Clicks a button of a rendered reply (its id and data, exactly as the page carries them).</summary>
    public async Task<JsonElement> ClickAsync(string user, JsonElement action, IReadOnlyDictionary<string, string>? inputs = null)
    {
        var data = action.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        foreach (var (key, value) in inputs ?? new Dictionary<string, string>())
        {
            data[key] = value;
        }

        return await PostAsync(new { user, action = new { id = action.GetProperty("id").GetString(), data } });
    }

    /// <summary>Bulk keep as a reviewer does it: the button shows the confirmation naming the accounts, whose button keeps them.</summary>
    public async Task<JsonElement> KeepAllAsync(string user, JsonElement page)
    {
        var confirmation = await ClickAsync(user, Button(page, "access.keep-all"));
        Assert.StartsWith("Keep these ", Text(confirmation));
        return await ClickAsync(user, Button(confirmation, "access.keep-all"));
    }

    /// <summary>Submits a reply's form with the given input values.</summary>
    public Task<JsonElement> SubmitAsync(string user, JsonElement reply, IReadOnlyDictionary<string, string> inputs) =>
        ClickAsync(user, reply.GetProperty("form").GetProperty("submit"), inputs);

    /// <summary>Escalate as a reviewer does it: the button opens the form, which is sent with whom to ask and the question.</summary>
    public async Task<JsonElement> EscalateAsync(string user, JsonElement page, string account, string person, string question)
    {
        var form = await ClickAsync(user, Button(Item(page, account), "access.escalate"));
        return await SubmitAsync(user, form, new Dictionary<string, string> { ["person"] = person, ["question"] = question });
    }

    public async Task<List<JsonElement>> InboxAsync(string user) =>
        [.. (await _chat.GetFromJsonAsync<JsonElement>($"/api/chat/inbox?user={Uri.EscapeDataString(user)}")).EnumerateArray()];

    public static JsonElement Item(JsonElement reply, string accountId) =>
        reply.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("text").GetString()!.StartsWith(accountId + " ", StringComparison.Ordinal));

    public static JsonElement Button(JsonElement itemOrReply, string actionId) =>
        itemOrReply.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("id").GetString() == actionId);

    public static bool HasButton(JsonElement itemOrReply, string actionId) =>
        itemOrReply.GetProperty("actions").EnumerateArray().Any(a => a.GetProperty("id").GetString() == actionId);

    public static string Text(JsonElement reply) => reply.GetProperty("text").GetString()!;

    public static string Field(JsonElement item, string label) =>
        item.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("label").GetString() == label).GetProperty("value").GetString()!;

    private async Task<JsonElement> PostAsync(object body)
    {
        var response = await _chat.PostAsJsonAsync("/api/chat", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var replies = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replies");
        Assert.Equal(1, replies.GetArrayLength());
        return replies[0];
    }
}
