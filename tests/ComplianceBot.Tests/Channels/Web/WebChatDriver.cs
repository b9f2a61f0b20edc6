using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ComplianceBot.Tests.Channels.Web;

/// <summary>Talks to the web chat as one person, the way chat.html does, and returns the rendered replies.</summary>
public sealed class WebChatDriver(HttpClient client, string user)
{
    public string User => user;

    public async Task<JsonElement> SayAsync(string text) =>
        await RepliesAsync(await client.PostAsJsonAsync("/api/chat", new { user, text }));

    public async Task<JsonElement> ClickAsync(string actionId, IReadOnlyDictionary<string, string> data) =>
        await RepliesAsync(await client.PostAsJsonAsync("/api/chat", new { user, action = new { id = actionId, data } }));

    /// <summary>Submits a reply's form with its own data plus the given input values.</summary>
    public Task<JsonElement> SubmitAsync(JsonElement reply, IReadOnlyDictionary<string, string> inputs)
    {
        var form = reply.GetProperty("form");
        var data = Data(form.GetProperty("submit"));
        // Like the page: pre-filled values travel unless the person changes them.
        foreach (var input in form.GetProperty("inputs").EnumerateArray())
        {
            if (input.GetProperty("value").GetString() is { } value)
            {
                data[input.GetProperty("id").GetString()!] = value;
            }
        }

        foreach (var (key, value) in inputs)
        {
            data[key] = value;
        }

        return ClickAsync(form.GetProperty("submit").GetProperty("id").GetString()!, data);
    }

    public async Task<JsonElement> UploadAsync(string fileName, byte[] content)
    {
        using var form = new MultipartFormDataContent { { new StringContent(user), "user" }, { new ByteArrayContent(content), "file", fileName } };
        return await RepliesAsync(await client.PostAsync("/api/chat/files", form));
    }

    public static Dictionary<string, string> Data(JsonElement action) =>
        action.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    public static JsonElement Action(JsonElement reply, string actionId) =>
        reply.GetProperty("actions").EnumerateArray().Concat(reply.GetProperty("items").EnumerateArray().SelectMany(i => i.GetProperty("actions").EnumerateArray()))
            .First(a => a.GetProperty("id").GetString() == actionId);

    public static Dictionary<string, string?> Fields(JsonElement reply) =>
        reply.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("label").GetString()!, f => f.GetProperty("value").GetString());

    private static async Task<JsonElement> RepliesAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("replies");
    }
}
