namespace ComplianceBot.AccessReviews.Identities;

/// <summary>What an account is when it is not simply one employee's own login; every mark names an owner who answers for it.</summary>
public enum AccountMarkKind
{
    /// <summary>Used by software (CI, a deploy bot, an integration).</summary>
    ServiceAccount,

    /// <summary>Someone outside the organisation (a contractor's or vendor's login, a guest).</summary>
    External,

    /// <summary>Used by several people (a team mailbox, a break-glass login).</summary>
    Shared,

    /// <summary>Any other account that is not a person (a test user, a placeholder).</summary>
    NotAPerson,
}
