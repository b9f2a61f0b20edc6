using ComplianceBot.Data;
using ComplianceBot.People;
using ComplianceBot.Understanding;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Ask;

/// <summary>
/// A question asked outside the chat front door (POST /api/ask, the "ask …" command, the Ask eval) goes through the
/// same understanding as chat: the intent classifier decides whether it is a question at all (declines get the chat's
/// decline, an unsafe one is audited), and only questions reach Ask, whose answerability check then applies.
/// </summary>
public sealed class QuestionAnswerer(
    IIntentClassifier classifier,
    AskService ask,
    DeclineHandler declines,
    ComplianceDbContext db,
    IOptions<UnderstandingOptions> options,
    TimeProvider clock,
    ILogger<QuestionAnswerer> logger)
{
    /// <param name="person">The asker when known (chat), so their own name is not read as a colleague's.</param>
    /// <param name="actor">Who asked, for the audit of a refused request.</param>
    public async Task<AskAnswer> AnswerAsync(string question, Person? person, string actor, string channel, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime((person?.LocalTime(clock.GetUtcNow()) ?? clock.GetUtcNow()).DateTime);
        var intent = IntentRouting.Resolve(await classifier.ClassifyAsync(question, person?.Email, today, cancellationToken), options.Value);
        logger.LogInformation("Ask: understood as {Intent} ({Confidence:F2}, {Source}) from {Channel}", intent.Label, intent.Confidence, intent.Source, channel);
        // Below the floor the classifier does not decide (chat would ask which was meant); Ask's answerability check
        // then says whether the knowledge base answers it, and Ask itself can change nothing.
        var sure = IntentRouting.IsSure(intent, options.Value);
        if (IntentLabels.IsDecline(intent.Label) && sure)
        {
            var reply = await declines.DeclineAsync(intent.Label, question, intent.Slots, person, actor, channel, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return new AskAnswer(reply.Text.ToString(), reply.Citations, Refused: true) { Composer = "understanding", Confidence = intent.Confidence };
        }

        // A request to act (my tasks, attest, approve…) is not a question; below the floor it may still be one, and
        // Ask's answerability check then says honestly whether the knowledge base answers it.
        if (sure && !IntentLabels.IsDecline(intent.Label) && !IsQuestion(intent.Label))
        {
            var what = IntentLabels.Describe(intent.Label);
            var text = intent.Label == IntentLabels.Smalltalk
                ? "👍 Ask me anything about SOC 2 or our program."
                : $"That sounds like \"{what}\", which I do in chat (Slack, Teams or the web chat), not here: this answers questions about SOC 2 and our own program.";
            return new AskAnswer(text, [], Refused: intent.Label != IntentLabels.Smalltalk) { Composer = "understanding", Confidence = intent.Confidence };
        }

        return await ask.AnswerAsync(question, cancellationToken);
    }

    private static bool IsQuestion(string label) => label is IntentLabels.Ask or IntentLabels.ProgramLookup or IntentLabels.Help;
}
