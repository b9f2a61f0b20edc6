using System.Text.Json.Nodes;
using ComplianceBot.Conversations;

namespace ComplianceBot.Channels.Slack;

/// <summary>
/// The /compliance slash command: answers at once with an ephemeral "on it", then runs the turn and replies through the
/// response_url (privately), opening a modal straight away with the fresh trigger_id when the flow returns a form.
/// </summary>
public sealed class SlackCommandHandler(FlowRouter router, SlackBackgroundWork background)
{
    /// <summary>Subcommands we advertise; those whose flow is not installed yet fall back to help instead of becoming a question.</summary>
    public static readonly string[] Subcommands = ["help", "tasks", "ask", "attest", "review", "change", "approvals"];

    public async Task<SlackAck> HandleAsync(IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var teamId = fields.GetValueOrDefault("team_id");
        var userId = fields.GetValueOrDefault("user_id");
        if (string.IsNullOrEmpty(teamId) || string.IsNullOrEmpty(userId))
        {
            return new SlackAck(SlackInteractionHandler.Error("team_id and user_id are required."), 400);
        }

        var text = ToTurnText(fields.GetValueOrDefault("text"));
        var channel = fields.GetValueOrDefault("channel_id");
        var responseUrl = fields.GetValueOrDefault("response_url");
        var triggerId = fields.GetValueOrDefault("trigger_id");
        await background.EnqueueAsync(async (services, ct) =>
        {
            var from = await services.GetRequiredService<SlackIdentity>().ResolveAsync(teamId, userId, ct);
            var direct = channel?.StartsWith('D') ?? false;
            var turn = new Turn(from, channel ?? "home:" + userId) { Text = text, IsDirect = direct, ConversationReference = direct ? channel : null };
            var result = await services.GetRequiredService<TurnProcessor>().ProcessAsync(turn, ct);
            await services.GetRequiredService<SlackResponder>().DeliverAsync(result.Replies,
                new SlackTarget(userId, channel, null, string.IsNullOrEmpty(responseUrl) ? null : responseUrl, triggerId), ct);
        }, cancellationToken);

        return new SlackAck(new JsonObject { ["response_type"] = "ephemeral", ["text"] = $"On it: {SlackRenderer.Escape(text.Length > 200 ? text[..200] : text)}…" });
    }

    /// <summary>"/compliance ask what is CC6.1" → the question itself; an advertised subcommand nobody handles yet → "help".</summary>
    public string ToTurnText(string? commandText)
    {
        var text = string.IsNullOrWhiteSpace(commandText) ? "help" : SlackText.Decode(commandText).Trim();
        var normalized = FlowRouter.Normalize(text);
        var handled = router.Flows.SelectMany(f => f.Commands).Any(c => normalized == c || normalized.StartsWith(c + " ", StringComparison.Ordinal));
        if (handled)
        {
            return text;
        }

        var first = normalized.Split(' ', 2)[0];
        if (first == "ask")
        {
            var question = text[3..].Trim();
            return question.Length == 0 ? "help" : question;
        }

        return Subcommands.Contains(first) ? "help" : text;
    }
}
