using ComplianceBot.Data;
using ComplianceBot.Operations;
using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Conversations;

/// <summary>The result of a turn: the replies to render and the person it was resolved to.</summary>
/// <param name="Understood">The front door's reading of free text (intent, confidence), for the web response and the channel logs.</param>
public sealed record TurnResult(IReadOnlyList<Reply> Replies, Person? Person, Understanding.IntentResult? Understood = null);

/// <summary>
/// The one place a turn goes through: resolve the person, load state, dispatch to a flow, save once.
/// On an unhandled error it logs, apologises and resets that conversation's state (BotBuilder's OnTurnError).
/// </summary>
/// <remarks>
/// A turn that changed nothing (help, a question, a list) writes nothing: every write serialises on the database
/// (SQLite has one writer), so read-only turns must not pay for one.
/// </remarks>
public sealed class TurnProcessor(
    ComplianceDbContext db,
    PersonDirectory directory,
    FlowRouter router,
    TimeProvider clock,
    ComplianceMetrics metrics,
    ILogger<TurnProcessor> logger)
{
    public const string UnknownUserText =
        "I couldn't find you in the company directory, so I can only answer questions for now. " +
        "If you should have tasks here, ask your compliance team to add your email to the people directory.";

    // Read on every turn, so compiled once per provider's model.
    private static readonly CompiledPerModel<Func<ComplianceDbContext, ChannelKind, string, string, string, CancellationToken, Task<ConversationState?>>> StateOf = new(() =>
        EF.CompileAsyncQuery((ComplianceDbContext db, ChannelKind channel, string tenantId, string conversationId, string userId, CancellationToken _) =>
            db.ConversationStates.SingleOrDefault(s => s.Channel == channel && s.TenantId == tenantId && s.ConversationId == conversationId && s.UserId == userId)));

    /// <param name="beforeSave">
    /// Runs with the turn's replies before its one save, so a channel that answers in the background (Slack events) can
    /// write them to the outbox in the same transaction as the turn's state.
    /// </param>
    public async Task<TurnResult> ProcessAsync(Turn turn, CancellationToken cancellationToken, Action<IReadOnlyList<Reply>>? beforeSave = null)
    {
        using var activity = ComplianceMetrics.ActivitySource.StartActivity("turn");
        activity?.SetTag("compliancebot.channel", turn.From.Channel.ToString());
        activity?.SetTag("compliancebot.action", turn.Action?.Id);
        var person = await directory.ResolveAsync(turn, cancellationToken);
        var state = await LoadStateAsync(turn, cancellationToken);

        IReadOnlyList<Reply> replies;
        Understanding.IntentResult? understood = null;
        var failed = false;
        try
        {
            (replies, understood) = await DispatchAsync(turn, person, state, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failed = true;
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            logger.LogError(ex, "Turn failed for {Channel} user {UserId} action {Action}", turn.From.Channel, turn.From.UserId, turn.Action?.Id);
            db.ChangeTracker.Clear();
            state = await LoadStateAsync(turn, cancellationToken);
            state.Clear();
            replies = [new Reply("Sorry, something went wrong on my side and I couldn't finish that. Nothing was recorded; please try again.")];
        }

        beforeSave?.Invoke(replies);
        if (db.ChangeTracker.HasChanges())
        {
            // UpdatedAt is when the flow state last changed, not when the conversation was last active.
            if (db.Entry(state).State == EntityState.Modified)
            {
                state.UpdatedAt = clock.GetUtcNow();
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        if (understood is not null)
        {
            // Never the text: it may hold a secret someone pasted, and the label says what was asked for.
            logger.LogInformation("Understood a {Channel} message as {Intent} (confidence {Confidence:0.00}, {Source})",
                turn.From.Channel, understood.Label, understood.Confidence, understood.Source);
        }

        metrics.TurnProcessed(turn.From.Channel.ToString(), understood?.Label, failed);
        return new TurnResult(replies, person, understood);
    }

    private async Task<(IReadOnlyList<Reply>, Understanding.IntentResult?)> DispatchAsync(Turn turn, Person? person, ConversationState state, CancellationToken cancellationToken)
    {
        if (router.Route(turn, state) is not var (flow, arguments))
        {
            return ([new Reply("That button belongs to something I no longer know about. Type \"help\" to see what I can do.")], null);
        }

        if (person is null && !flow.AllowsUnknownUsers)
        {
            return ([new Reply(UnknownUserText) { Actions = [Help.HelpFlow.AskButton] }], null);
        }

        if (person is { IsActive: false })
        {
            return ([new Reply("Your directory entry is marked as no longer active, so I can't record anything for you. Please contact the compliance team.")], null);
        }

        var context = new FlowContext(turn, person, state) { Arguments = arguments };
        var replies = await flow.HandleAsync(context, cancellationToken);
        // A form sent back with validation errors takes the submitted form's place in every channel, not a new message.
        return ([.. replies.Select(r => r.Form is { Errors.Count: > 0 } form && turn.Action?.Id == form.SubmitActionId && turn.Source is not null
            ? r with { UpdatesSource = true }
            : r)], context.Understood);
    }

    private async Task<ConversationState> LoadStateAsync(Turn turn, CancellationToken cancellationToken)
    {
        var from = turn.From;
        if (await StateOf.For(db)(db, from.Channel, from.TenantId, turn.ConversationId, from.UserId, cancellationToken) is { } existing)
        {
            return existing;
        }

        // The router needs the state (a waiting flow takes the next free text), so every turn reads it.
        // Created up front in its own save, so two first turns of one conversation racing each other
        // (a double click, a Slack retry) meet on the unique index here rather than failing the turn later.
        var state = new ConversationState { Channel = from.Channel, TenantId = from.TenantId, ConversationId = turn.ConversationId, UserId = from.UserId, UpdatedAt = clock.GetUtcNow() };
        db.ConversationStates.Add(state);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return state;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.Entry(state).State = EntityState.Detached;
            return await StateOf.For(db)(db, from.Channel, from.TenantId, turn.ConversationId, from.UserId, cancellationToken)
                ?? throw new InvalidOperationException("The conversation state vanished after a concurrent insert.");
        }
    }
}
