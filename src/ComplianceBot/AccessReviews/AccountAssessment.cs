using ComplianceBot.AccessReviews.Identities;
using ComplianceBot.AccessReviews.Imports;
using ComplianceBot.People;

namespace ComplianceBot.AccessReviews;

/// <summary>The flags an account gets at import, from who it belongs to and what the export says about it.</summary>
public static class AccountAssessment
{
    public static AccountFlags Flags(AccountRow row, AccountIdentity identity, int reviewerId, DateTimeOffset dormantBefore, IReadOnlyList<string> privilegedWords)
    {
        var flags = AccountFlags.None;
        // Terminated only on the directory's word; an account nobody is known for is flagged for a look, not as a leaver.
        if (!identity.IsKnown)
        {
            flags |= AccountFlags.Unmatched;
        }
        else if (identity.PersonStatus is { } status && status != PersonStatus.Active)
        {
            flags |= AccountFlags.Terminated;
        }

        // A disabled account cannot be used, and an export without activity columns cannot say who is dormant.
        if (row.Enabled && row.ActivityKnown && (row.LastLogin is null || row.LastLogin < dormantBefore))
        {
            flags |= AccountFlags.Dormant;
        }

        if (IsPrivileged(row, privilegedWords))
        {
            flags |= AccountFlags.Privileged;
        }

        if (identity.PersonId == reviewerId)
        {
            flags |= AccountFlags.Self;
        }

        return flags;
    }

    public static bool IsPrivileged(AccountRow row, IReadOnlyList<string> privilegedWords) =>
        row.AdminRoles.Count > 0
        || privilegedWords.Any(w => row.Role.Contains(w, StringComparison.OrdinalIgnoreCase) || row.Groups.Any(g => g.Contains(w, StringComparison.OrdinalIgnoreCase)));
}
