using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ComplianceBot.Channels.Teams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ComplianceBot.Tests.Soak;

/// <summary>
/// The Bot Connector for hosts in other processes: plain HTTP on 127.0.0.1 (an anonymous Development host trusts any
/// serviceUrl), the roster for member lookups, and every reply recorded by the activity it answers.
/// </summary>
public sealed class SoakTeamsConnector : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SoakTeamsConnector(WebApplication app) => _app = app;

    public string ServiceUrl => _app.Urls.First() + "/";

    /// <summary>Member id → email (what TeamsInfo.GetMemberAsync finds).</summary>
    public ConcurrentDictionary<string, string> Members { get; } = new();

    /// <summary>Replies by the activity id they answer (the id in the reply URL).</summary>
    public ConcurrentDictionary<string, int> RepliesTo { get; } = new();

    /// <summary>Proactive messages (new conversations' activities without a reply id).</summary>
    public int Proactive => _proactive;

    /// <summary>Every proactive message: its conversation, the id we gave it and the delivery key its card's actions carry.</summary>
    public ConcurrentQueue<PostedCard> Posted { get; } = new();

    /// <summary>
    /// Called when a card with a delivery key arrives, after it is recorded and before the answer: with the sender's
    /// port, so the soak can kill the sending host while the connector has the card and the host has no answer yet.
    /// </summary>
    public Func<PostedCard, int, Task>? CardPosted { get; set; }

    public int Port => new Uri(ServiceUrl).Port;

    /// <summary>PUTs (card updates) by activity id.</summary>
    public ConcurrentDictionary<string, int> Puts { get; } = new();

    private int _proactive;

    /// <summary>The proactive messages whose cards carry this delivery key (a card is sent once: exactly one).</summary>
    public List<PostedCard> CopiesOf(string deliveryKey) => [.. Posted.Where(p => p.DeliveryKey == deliveryKey)];

    public static async Task<SoakTeamsConnector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var connector = new SoakTeamsConnector(app);
        app.MapPost("/v3/conversations/{conversationId}/activities/{activityId}", (string activityId) =>
        {
            connector.RepliesTo.AddOrUpdate(activityId, 1, (_, n) => n + 1);
            return Results.Json(new { id = $"1:{Guid.NewGuid():N}" });
        });
        app.MapPost("/v3/conversations/{conversationId}/activities", async (string conversationId, HttpContext context) =>
        {
            Interlocked.Increment(ref connector._proactive);
            var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync());
            var card = new PostedCard(conversationId, $"1:{Guid.NewGuid():N}", DeliveryKey(body));
            connector.Posted.Enqueue(card);
            if (card.DeliveryKey is not null && connector.CardPosted is { } posted)
            {
                await posted(card, context.Connection.RemotePort);
            }

            return Results.Json(new { id = card.ActivityId });
        });
        app.MapPut("/v3/conversations/{conversationId}/activities/{activityId}", (string activityId) =>
        {
            connector.Puts.AddOrUpdate(activityId, 1, (_, n) => n + 1);
            return Results.Json(new { id = activityId });
        });
        app.MapPost("/v3/conversations", () => Results.Json(new { id = $"a:{Guid.NewGuid():N}" }));
        app.MapGet("/v3/conversations/{conversationId}/members/{memberId}", (string memberId) =>
            connector.Members.TryGetValue(memberId, out var email)
                ? Results.Json(new JsonObject { ["id"] = memberId, ["name"] = email, ["aadObjectId"] = "aad-" + memberId, ["email"] = email, ["userPrincipalName"] = email })
                : Results.NotFound());
        await app.StartAsync();
        return connector;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>The first action data's delivery key, where the host stamped one (cards without actions carry none).</summary>
    private static string? DeliveryKey(JsonNode? node) => node switch
    {
        JsonObject o when o[TeamsDeliveryKeys.DataKey] is JsonValue v && v.TryGetValue<string>(out var key) => key,
        JsonObject o => o.Select(p => DeliveryKey(p.Value)).FirstOrDefault(k => k is not null),
        JsonArray a => a.Select(DeliveryKey).FirstOrDefault(k => k is not null),
        _ => null,
    };
}
