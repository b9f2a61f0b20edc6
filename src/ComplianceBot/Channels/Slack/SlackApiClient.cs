using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Channels.Slack;

/// <summary>Slack answered HTTP 200 with ok:false (or gave up after retries): <see cref="Error"/> is Slack's code, e.g. channel_not_found.</summary>
public sealed class SlackApiException(string method, string error, string? detail = null)
    : Exception($"Slack {method} failed: {error}{(detail is null ? "" : " (" + detail + ")")}")
{
    public string Method => method;
    public string Error => error;
}

/// <summary>A Slack file could not be downloaded (e.g. Slack sent its HTML login page because the token was not accepted).</summary>
public sealed class SlackFileDownloadException(string message) : Exception(message);

public sealed record SlackUser(string Id, string? Email, string? Name, bool IsBot, string? TeamId = null);

public sealed record SlackPosted(string Channel, string Ts);

public sealed record SlackFile(string Id, string Name, string? MimeType, long? Size, string? UrlPrivate);

/// <summary>
/// Our thin typed Slack Web API client. Retries (429 with Retry-After, 5xx, network errors) live in the resilience handler
/// configured in <see cref="SlackExtensions"/>; this class turns ok:false into <see cref="SlackApiException"/>.
/// </summary>
public sealed class SlackApiClient(HttpClient http, IOptions<SlackOptions> options)
{
    public Task<JsonObject> AuthTestAsync(CancellationToken cancellationToken) => CallFormAsync("auth.test", [], cancellationToken);

    public Task<SlackPosted> PostMessageAsync(string channel, string text, JsonArray? blocks, string? threadTs, CancellationToken cancellationToken) =>
        PostMessageAsync(channel, text, blocks, threadTs, null, cancellationToken);

    /// <summary>Posts with optional message metadata ({"event_type", "event_payload"}), invisible to people, readable back by conversations.history.</summary>
    public async Task<SlackPosted> PostMessageAsync(string channel, string text, JsonArray? blocks, string? threadTs, JsonObject? metadata, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["channel"] = channel, ["text"] = text };
        if (metadata is not null)
        {
            body["metadata"] = metadata;
        }

        if (blocks is not null)
        {
            body["blocks"] = blocks;
        }

        if (threadTs is not null)
        {
            body["thread_ts"] = threadTs;
        }

        var result = await CallJsonAsync("chat.postMessage", body, cancellationToken);
        return new SlackPosted(result["channel"]?.GetValue<string>() ?? channel, result["ts"]?.GetValue<string>() ?? "");
    }

    public Task<JsonObject> UpdateMessageAsync(string channel, string ts, string text, JsonArray? blocks, CancellationToken cancellationToken) =>
        CallJsonAsync("chat.update", new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = text, ["blocks"] = blocks ?? [] }, cancellationToken);

    public Task<JsonObject> DeleteMessageAsync(string channel, string ts, CancellationToken cancellationToken) =>
        CallJsonAsync("chat.delete", new JsonObject { ["channel"] = channel, ["ts"] = ts }, cancellationToken);

    public Task<JsonObject> PostEphemeralAsync(string channel, string user, string text, JsonArray? blocks, CancellationToken cancellationToken) =>
        CallJsonAsync("chat.postEphemeral", new JsonObject { ["channel"] = channel, ["user"] = user, ["text"] = text, ["blocks"] = blocks ?? [] }, cancellationToken);

    public async Task<string> OpenConversationAsync(string userId, CancellationToken cancellationToken)
    {
        var result = await CallJsonAsync("conversations.open", new JsonObject { ["users"] = userId }, cancellationToken);
        return result["channel"]?["id"]?.GetValue<string>() ?? throw new SlackApiException("conversations.open", "no_channel_in_response");
    }

    /// <summary>The newest messages of a conversation (newest first), with every message's metadata.</summary>
    public async Task<JsonArray> HistoryAsync(string channel, int limit, CancellationToken cancellationToken)
    {
        var result = await CallFormAsync(
            "conversations.history",
            [new("channel", channel), new("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("include_all_metadata", "true")],
            cancellationToken);
        return result["messages"] as JsonArray ?? throw new SlackApiException("conversations.history", "no_messages_in_response");
    }

    /// <summary>A thread's messages (parent first, oldest first), with every message's metadata.</summary>
    public async Task<JsonArray> RepliesAsync(string channel, string threadTs, int limit, CancellationToken cancellationToken)
    {
        var result = await CallFormAsync(
            "conversations.replies",
            [new("channel", channel), new("ts", threadTs), new("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("include_all_metadata", "true")],
            cancellationToken);
        return result["messages"] as JsonArray ?? throw new SlackApiException("conversations.replies", "no_messages_in_response");
    }

    public async Task<SlackUser> UserInfoAsync(string userId, CancellationToken cancellationToken) =>
        ToUser((await CallFormAsync("users.info", [new("user", userId)], cancellationToken))["user"]);

    public async Task<SlackUser?> LookupByEmailAsync(string email, CancellationToken cancellationToken)
    {
        try
        {
            return ToUser((await CallFormAsync("users.lookupByEmail", [new("email", email)], cancellationToken))["user"]);
        }
        catch (SlackApiException ex) when (ex.Error == "users_not_found")
        {
            return null;
        }
    }

    public async Task<string?> OpenViewAsync(string triggerId, JsonObject view, CancellationToken cancellationToken) =>
        (await CallJsonAsync("views.open", new JsonObject { ["trigger_id"] = triggerId, ["view"] = view }, cancellationToken))["view"]?["id"]?.GetValue<string>();

    public Task<JsonObject> UpdateViewAsync(string viewId, JsonObject view, string? hash, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["view_id"] = viewId, ["view"] = view };
        if (hash is not null)
        {
            body["hash"] = hash;
        }

        return CallJsonAsync("views.update", body, cancellationToken);
    }

    public Task<JsonObject> PublishViewAsync(string userId, JsonObject view, CancellationToken cancellationToken) =>
        CallJsonAsync("views.publish", new JsonObject { ["user_id"] = userId, ["view"] = view }, cancellationToken);

    public async Task<SlackFile> FileInfoAsync(string fileId, CancellationToken cancellationToken) =>
        ToFile((await CallFormAsync("files.info", [new("file", fileId)], cancellationToken))["file"]!.AsObject());

    public async Task<string> OpenSocketUrlAsync(CancellationToken cancellationToken)
    {
        // apps.connections.open takes the app-level token in the header; a token parameter is rejected.
        var result = await CallFormAsync("apps.connections.open", [], cancellationToken, options.Value.AppToken);
        return result["url"]?.GetValue<string>() ?? throw new SlackApiException("apps.connections.open", "no_url_in_response");
    }

    /// <summary>Posts to a slash command's or action's response_url (no token; the URL is the credential).</summary>
    public async Task RespondAsync(string responseUrl, JsonObject message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, responseUrl) { Content = Json(message) };
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new SlackApiException("response_url", ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Downloads url_private with the bot token; Slack answers an HTML login page when it does not accept the token.</summary>
    public async Task<Stream> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsSlackFileHost(uri))
        {
            throw new SlackFileDownloadException($"Refusing to send the bot token to {uri?.GetLeftPart(UriPartial.Authority) ?? "an invalid URL"}: not https on port 443 of a Slack file host.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.BotToken);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType == "text/html")
        {
            response.Dispose();
            throw new SlackFileDownloadException(
                $"Slack did not return the file (HTTP {(int)response.StatusCode}, {response.Content.Headers.ContentType?.MediaType ?? "no content type"}): check that the bot token has files:read.");
        }

        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    public Task<JsonObject> CallJsonAsync(string method, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(method, Json(body), options.Value.BotToken, cancellationToken);

    public Task<JsonObject> CallFormAsync(string method, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken, string? token = null) =>
        SendAsync(method, new FormUrlEncodedContent(fields), token ?? options.Value.BotToken, cancellationToken);

    private async Task<JsonObject> SendAsync(string method, HttpContent content, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Value.ApiBaseUrl, method)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The resilience handler already retried 429/5xx; what reaches here is final.
            throw new SlackApiException(method, (int)response.StatusCode == 429 ? "ratelimited" : $"http_{(int)response.StatusCode}");
        }

        JsonObject result;
        try
        {
            result = JsonNode.Parse(text)?.AsObject() ?? throw new SlackApiException(method, "empty_response");
        }
        catch (JsonException)
        {
            throw new SlackApiException(method, "invalid_json_response");
        }

        if (result["ok"]?.GetValue<bool>() != true)
        {
            var detail = result["response_metadata"]?["messages"]?.ToJsonString();
            throw new SlackApiException(method, result["error"]?.GetValue<string>() ?? "unknown_error", detail);
        }

        return result;
    }

    /// <summary>
    /// The bot token goes only to https on port 443 of slack.com hosts (files.slack.com serves url_private), or to exactly
    /// the scheme, host and port of the configured API base (a local Slack double in tests). Never with userinfo.
    /// </summary>
    private bool IsSlackFileHost(Uri uri)
    {
        if (uri.UserInfo.Length > 0)
        {
            return false;
        }

        var api = options.Value.ApiBaseUrl;
        if (uri.Scheme == api.Scheme && uri.Port == api.Port && string.Equals(uri.Host, api.Host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return uri.Scheme == Uri.UriSchemeHttps && uri.Port == 443
            && (uri.Host.Equals("slack.com", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".slack.com", StringComparison.OrdinalIgnoreCase));
    }

    private static StringContent Json(JsonObject body) =>
        new(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" });

    private static SlackUser ToUser(JsonNode? user) => new(
        user?["id"]?.GetValue<string>() ?? "",
        user?["profile"]?["email"]?.GetValue<string>(),
        user?["profile"]?["real_name"]?.GetValue<string>() ?? user?["real_name"]?.GetValue<string>() ?? user?["name"]?.GetValue<string>(),
        user?["is_bot"]?.GetValue<bool>() ?? false,
        user?["team_id"]?.GetValue<string>());

    private static SlackFile ToFile(JsonObject file) => new(
        file["id"]?.GetValue<string>() ?? "",
        file["name"]?.GetValue<string>() ?? file["title"]?.GetValue<string>() ?? "file",
        file["mimetype"]?.GetValue<string>(),
        file["size"]?.GetValue<long>(),
        file["url_private_download"]?.GetValue<string>() ?? file["url_private"]?.GetValue<string>());
}
