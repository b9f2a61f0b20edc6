namespace ComplianceBot.AccessReviews;

/// <summary>Settings of quarterly access reviews (section "AccessReviews").</summary>
public sealed class AccessReviewOptions
{
    /// <summary>An account with no login for this many days (or never) is flagged dormant.</summary>
    public int DormantAfterDays { get; set; } = 90;

    /// <summary>Role words that make an account privileged when the role contains one (case-insensitive: "Org Admin", "AdministratorAccess").</summary>
    public List<string> PrivilegedRoles { get; set; } = ["admin", "owner", "root", "superuser", "billing_manager"];

    /// <summary>Accounts per page (at most 12). Ten keeps a Slack message well under its 50-block limit (3 blocks per account).</summary>
    public int PageSize { get; set; } = 10;

    /// <summary>Days the system admin has to carry out a revocation after sign-off.</summary>
    public int RevocationDueDays { get; set; } = 5;

    /// <summary>
    /// Days after sign-off by which an account deferred at sign-off is to be kept or revoked: deferring one account nobody
    /// can answer for does not hold up the quarter's sign-off, and the review completes once the follow-ups are decided.
    /// </summary>
    public int DeferredFollowUpDays { get; set; } = 14;

    /// <summary>
    /// The largest export accepted, enforced while the upload streams in. A 20,000-account Okta report is about 5 MB;
    /// the cap keeps a wrong upload (a database dump) from filling memory.
    /// </summary>
    public long MaxImportBytes { get; set; } = 20 * 1024 * 1024;
}
