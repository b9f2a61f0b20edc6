using System.Net;
using System.Text.RegularExpressions;
using ComplianceBot.Conversations;
using Microsoft.Bot.Schema;
using Microsoft.Bot.Schema.Teams;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace ComplianceBot.Channels.Teams;

/// <summary>Turns Bot Framework activities from Teams into channel-neutral <see cref="Turn"/>s.</summary>
public static partial class TeamsTranslator
{
    public const string FileDownloadInfo = "application/vnd.microsoft.teams.file.download.info";

    /// <summary>A message: text without the bot's @mention, an Action.Submit fallback as an action, file attachments as files.</summary>
    public static Turn FromMessage(Activity activity, string? email, Func<string, CancellationToken, Task<Stream>> download)
    {
        var turn = Base(activity, email);
        if (SubmitAction(activity.Value) is { } action)
        {
            return turn with { Action = action, Source = Source(activity) };
        }

        var files = IsDirect(activity) ? Files(activity, download) : [];
        return turn with { Text = CleanText(activity), Files = files };
    }

    /// <summary>An adaptiveCard/action invoke (Action.Execute): verb = action id, data plus input values.</summary>
    public static Turn FromCardAction(Activity activity, AdaptiveCardInvokeValue value, string? email) =>
        Base(activity, email) with
        {
            Action = new TurnAction(value.Action?.Verb ?? "", ToStrings(value.Action?.Data)),
            Source = Source(activity),
        };

    public static ChannelUser User(Activity activity, string? email) => new(
        ChannelKind.Teams,
        TenantId(activity),
        activity.From.AadObjectId is { Length: > 0 } aad ? aad : activity.From.Id,
        email,
        activity.From.Name);

    public static string TenantId(Activity activity) =>
        activity.Conversation?.TenantId is { Length: > 0 } tenant ? tenant : activity.GetChannelData<TeamsChannelData>()?.Tenant?.Id ?? "";

    /// <summary>Personal scope is a 1:1 chat; groupChat and channel are shared.</summary>
    public static bool IsDirect(Activity activity) =>
        activity.Conversation?.ConversationType is null or "personal";

    /// <summary>What we store to message the sender later: serviceUrl, conversation, bot and the user's MRI ("29:…").</summary>
    public static string Reference(Activity activity)
    {
        var reference = activity.GetConversationReference();
        reference.ActivityId = null;
        return JsonConvert.SerializeObject(reference);
    }

    /// <summary>True when the invoke is Teams refreshing a card for one user (refresh.userIds), not a click.</summary>
    public static bool IsAutomaticRefresh(Activity activity) =>
        activity.Value is JObject value && string.Equals(value.Value<string>("trigger"), "automatic", StringComparison.OrdinalIgnoreCase);

    private static Turn Base(Activity activity, string? email) => new(User(activity, email), activity.Conversation.Id)
    {
        IsDirect = IsDirect(activity),
        ConversationReference = Reference(activity),
    };

    private static MessageRef? Source(Activity activity) =>
        activity.ReplyToId is { Length: > 0 } id ? new MessageRef(ChannelKind.Teams, activity.Conversation.Id, id) : null;

    private static TurnAction? SubmitAction(object? value) =>
        value is JObject data && data.Value<string>(TeamsRenderer.SubmitActionKey) is { Length: > 0 } id
            ? new TurnAction(id, ToStrings(data))
            : null;

    private static string CleanText(Activity activity)
    {
        var text = activity.RemoveRecipientMention() ?? activity.Text ?? "";
        // Teams sends HTML when the user formats a message; flows want the words.
        text = WebUtility.HtmlDecode(Tags().Replace(text, " "));
        return Spaces().Replace(text, " ").Trim();
    }

    private static List<IncomingFile> Files(Activity activity, Func<string, CancellationToken, Task<Stream>> download) =>
        [.. (activity.Attachments ?? [])
            .Where(a => a.ContentType == FileDownloadInfo && a.Content is not null)
            .Select(a => (Attachment: a, Info: JObject.FromObject(a.Content)))
            .Where(a => a.Info.Value<string>("downloadUrl") is { Length: > 0 })
            .Select(a => new IncomingFile(
                a.Attachment.Name ?? a.Info.Value<string>("uniqueId") ?? "file",
                ContentType(a.Info.Value<string>("fileType")),
                null,
                ct => download(a.Info.Value<string>("downloadUrl")!, ct)))];

    private static string? ContentType(string? fileType) => fileType?.ToLowerInvariant() switch
    {
        null or "" => null,
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" or "jpeg" => "image/jpeg",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "json" => "application/json",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    };

    /// <summary>Card data and input values as strings; Teams' own "msteams" hints and our fallback key are dropped.</summary>
    public static Dictionary<string, string> ToStrings(object? data)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var json = data switch
        {
            null => null,
            JObject o => o,
            string s when s.TrimStart().StartsWith('{') => JObject.Parse(s),
            _ => JToken.FromObject(data) as JObject,
        };
        foreach (var (key, token) in json ?? [])
        {
            if (key is "msteams" or TeamsRenderer.SubmitActionKey or TeamsDeliveryKeys.DataKey || token is null)
            {
                continue;
            }

            result[key] = token.Type == JTokenType.String ? token.Value<string>()! : token.ToString(Formatting.None);
        }

        return result;
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
