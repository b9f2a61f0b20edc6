using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Ask;

/// <summary>
/// Answers one question the front door understood as a question: retrieval → answerability → (Azure OpenAI when
/// configured, else the offline composer). Read-only by construction: it holds no DbContext and no messenger, so
/// nothing a question says can change a record. Whether to answer at all is decided before, by the classifier.
/// </summary>
public sealed partial class AskService(KnowledgeIndex index, OfflineComposer composer, IOptions<AskOptions> options, ILogger<AskService> logger, ChatAnswerer? chat = null)
{
    public const int MaxQuestionLength = 4000;

    public async Task<AskAnswer> AnswerAsync(string question, CancellationToken cancellationToken)
    {
        var search = index.Current;
        var corpus = search.Corpus;
        var retrieval = Retrieve(search, question);
        if (retrieval.Confidence < options.Value.RefusalThreshold)
        {
            return Refusal(corpus, "The knowledge base does not cover that.", dontKnow: true) with { Confidence = retrieval.Confidence };
        }

        var verdict = Answerability.Check(question, retrieval, search);
        if (!verdict.Answerable)
        {
            logger.LogInformation("Ask: not answerable from the knowledge base ({Reason})", verdict.Reason);
            return NotAnswerable(verdict, corpus) with { Confidence = retrieval.Confidence, Composer = "answerability" };
        }

        if (chat is not null && chat.IsConfigured)
        {
            var generated = await chat.TryAnswerAsync(question, retrieval, corpus, cancellationToken);
            if (generated is not null)
            {
                return generated with { Confidence = retrieval.Confidence };
            }
        }

        return composer.Compose(question, retrieval, corpus, options.Value.MaxCitations, ConfirmPattern().IsMatch(question)) with { Confidence = retrieval.Confidence };
    }

    /// <summary>The honest "I don't know", saying why; a live-state question also gets the control that covers it and its owner.</summary>
    public static AskAnswer NotAnswerable(AnswerabilityVerdict verdict, KnowledgeCorpus corpus)
    {
        if (verdict.Reason == Unanswerable.LiveState)
        {
            const string cannotSee = "I can't see how things stand right now: the knowledge base says what our program and controls require, not whether they hold at this moment.";
            if (verdict.CoveringControl is not { } control)
            {
                return Refusal(corpus, cannotSee + " The tool that tracks it, or its owner, can tell you.", dontKnow: false);
            }

            var first = control.OwnerName.Split(' ')[0];
            var citations = corpus.Documents.TryGetValue(control.Id, out var document) ? [OfflineComposer.ToCitation(document)] : Array.Empty<Conversations.Citation>();
            return new AskAnswer($"{cannotSee} What I do know: {control.Id} {control.Title} covers this, owned by {control.OwnerName} ({control.OwnerEmail}). Ask {first} for the current state.", citations, Refused: true);
        }

        var reason = verdict.Reason switch
        {
            Unanswerable.OtherFramework => "The knowledge base covers SOC 2 and our own program, not other laws or frameworks; legal or the compliance team can help.",
            Unanswerable.Future => "The knowledge base covers the Trust Services Criteria as they are; it can't predict future revisions.",
            Unanswerable.ContractTerms => "The knowledge base holds no contract terms; procurement or the compliance team has the contracts.",
            _ => $"The knowledge base doesn't mention {string.Join(", ", verdict.UnknownWords)}: it holds the SOC 2 criteria and our own program, not that.",
        };
        return Refusal(corpus, reason, dontKnow: true);
    }

    /// <summary>Hybrid when MiniLM is loaded, lexical until then.</summary>
    public Retrieval Retrieve(SearchIndex search, string question)
    {
        // A question that names a criterion or control is answered from those ids (SelectSources cites only them),
        // so encoding it would cost the question's latency and change nothing.
        var dense = search.HasVectors && search.FindIds(question).Count == 0;
        return search.Search(question, dense ? index.QueryVector(question) : null);
    }

    public static AskAnswer Refusal(KnowledgeCorpus corpus, string reason, bool dontKnow)
    {
        var contact = corpus.Profile.ComplianceContact;
        var channel = corpus.Profile.ComplianceChannel;
        var lead = dontKnow ? "I don't know — " : "I can't help with that. ";
        var where = string.IsNullOrEmpty(channel) ? contact : $"{contact} or {channel}";
        var because = dontKnow && reason.Length > 0 ? char.ToLowerInvariant(reason[0]) + reason[1..] : reason;
        return new AskAnswer($"{lead}{because} Please ask the compliance team ({where}).", [], Refused: true);
    }

    // The answer then says it only repeats the knowledge base rather than confirming a claim put to it.
    [GeneratedRegex(@"\bconfirm (that|this|it|for me)\b|\baccording to (the|your) (knowledge|file|document|source|passage)|\bcite (the|that|this) (file|document|source)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ConfirmPattern();
}
