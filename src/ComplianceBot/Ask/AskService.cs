using Microsoft.Extensions.Options;

namespace ComplianceBot.Ask;

/// <summary>
/// Answers one question: guard → retrieval → (Azure OpenAI when configured, else the offline composer). Read-only by
/// construction: it holds no DbContext and no messenger, so nothing a question says can change a record.
/// </summary>
public sealed class AskService(KnowledgeIndex index, OfflineComposer composer, IOptions<AskOptions> options, ILogger<AskService> logger, ChatAnswerer? chat = null)
{
    public const int MaxQuestionLength = 4000;

    public async Task<AskAnswer> AnswerAsync(string question, CancellationToken cancellationToken)
    {
        var search = index.Current;
        var corpus = search.Corpus;
        var decision = AskGuard.Check(question, corpus.PeopleNames);
        if (decision.Verdict != GuardVerdict.Answer)
        {
            logger.LogInformation("Ask: declined ({Verdict})", decision.Verdict);
            return Refusal(corpus, decision.Hint, decision.Verdict == GuardVerdict.OutOfScope) with { Composer = "guard" };
        }

        var retrieval = Retrieve(search, question);
        if (retrieval.Confidence < options.Value.RefusalThreshold)
        {
            return Refusal(corpus, "The knowledge base does not cover that.", dontKnow: true) with { Confidence = retrieval.Confidence };
        }

        if (chat is not null && chat.IsConfigured)
        {
            var generated = await chat.TryAnswerAsync(question, retrieval, corpus, cancellationToken);
            if (generated is not null)
            {
                return generated with { Confidence = retrieval.Confidence };
            }
        }

        return composer.Compose(question, retrieval, corpus, options.Value.MaxCitations, decision.AsksToConfirm) with { Confidence = retrieval.Confidence };
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
}
