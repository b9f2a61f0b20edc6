using ComplianceBot.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComplianceBot.AccessReviews;

/// <summary>
/// A reviewer's question about one account to a person who knows it ("what is ci-bot for?"), and their answer. The answer
/// is advice: the account goes back to the reviewer, who decides and stays accountable for the decision.
/// </summary>
public sealed class AccessReviewEscalation
{
    public const int MaxTextLength = 1000;

    public long Id { get; private set; }
    public int ReviewId { get; init; }
    public AccessReview? Review { get; set; }
    public long ItemId { get; init; }
    public AccessReviewItem? Item { get; set; }
    public int AskedById { get; init; }
    public Person? AskedBy { get; set; }
    public int AskedOfId { get; init; }
    public Person? AskedOf { get; set; }
    public required string Question { get; init; }
    public DateTimeOffset AskedAt { get; init; }

    /// <summary>What the person recommends: Keep, Revoke, or null for an answer in words only.</summary>
    public AccessDecision? Recommendation { get; private set; }
    public string? Answer { get; private set; }
    public DateTimeOffset? AnsweredAt { get; private set; }

    public Guid Version { get; private set; } = Guid.NewGuid();

    public bool IsAnswered => AnsweredAt is not null;

    /// <summary>"Priya Nair: this is the CI deploy user (recommends keep)", as the reviewer reads it on the account.</summary>
    public static string Summary(string name, AccessDecision? recommendation, string? answer)
    {
        var advice = recommendation switch
        {
            AccessDecision.Keep => "recommends keep",
            AccessDecision.Revoke => "recommends revoke",
            _ => null,
        };
        var text = (answer, advice) switch
        {
            ({ Length: > 0 }, not null) => $"{answer} ({advice})",
            ({ Length: > 0 }, null) => answer,
            _ => advice ?? "",
        };
        return $"{name}: {text}";
    }

    public void Record(Person by, AccessDecision? recommendation, string? answer, DateTimeOffset at)
    {
        if (by.Id != AskedOfId)
        {
            throw new AccessReviewRuleException("This question was asked of someone else.");
        }

        if (IsAnswered)
        {
            throw new AccessReviewRuleException("You already answered this question.");
        }

        if (recommendation is not (null or AccessDecision.Keep or AccessDecision.Revoke))
        {
            throw new ArgumentOutOfRangeException(nameof(recommendation), recommendation, "An answer recommends Keep, Revoke or nothing.");
        }

        answer = string.IsNullOrWhiteSpace(answer) ? null : answer.Trim();
        if (answer is null && recommendation != AccessDecision.Keep)
        {
            throw new AccessReviewRuleException(recommendation == AccessDecision.Revoke
                ? "Say why the account should go; the reviewer and the auditor read it."
                : "Write your answer for the reviewer.");
        }

        if (answer is { Length: > MaxTextLength })
        {
            throw new AccessReviewRuleException($"Keep the answer under {MaxTextLength} characters.");
        }

        Recommendation = recommendation;
        Answer = answer;
        AnsweredAt = at;
        Version = Guid.NewGuid();
    }
}

internal sealed class AccessReviewEscalationConfiguration : IEntityTypeConfiguration<AccessReviewEscalation>
{
    public void Configure(EntityTypeBuilder<AccessReviewEscalation> builder)
    {
        builder.HasIndex(e => e.ItemId);
        builder.HasIndex(e => new { e.AskedOfId, e.AnsweredAt });
        builder.Property(e => e.Question).HasMaxLength(AccessReviewEscalation.MaxTextLength);
        builder.Property(e => e.Answer).HasMaxLength(AccessReviewEscalation.MaxTextLength);
        builder.Property(e => e.Recommendation).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.HasOne(e => e.Review).WithMany().HasForeignKey(e => e.ReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(e => e.Item).WithMany().HasForeignKey(e => e.ItemId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(e => e.AskedBy).WithMany().HasForeignKey(e => e.AskedById).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(e => e.AskedOf).WithMany().HasForeignKey(e => e.AskedOfId).OnDelete(DeleteBehavior.Restrict);
    }
}
