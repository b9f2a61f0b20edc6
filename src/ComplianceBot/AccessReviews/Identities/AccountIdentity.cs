using ComplianceBot.People;

namespace ComplianceBot.AccessReviews.Identities;

/// <summary>Who an account belongs to: a directory person (and how that was found), or a marked account and its owner, or nobody.</summary>
public sealed record AccountIdentity(int? PersonId, string? MatchedBy, PersonStatus? PersonStatus, AccountMarkKind? Mark, int? OwnerId)
{
    public static readonly AccountIdentity Nobody = new(null, null, null, null, null);

    public bool IsKnown => PersonId is not null || Mark is not null;
}
