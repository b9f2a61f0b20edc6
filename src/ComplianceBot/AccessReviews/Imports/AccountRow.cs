namespace ComplianceBot.AccessReviews.Imports;

/// <summary>Another name the account is known by, for matching it to a person: kind is login, nameid or upn.</summary>
public sealed record AccountIdentifier(string Kind, string Value);

/// <summary>One account of a system export, as imported, in the same shape whatever the vendor's file looked like.</summary>
public sealed record AccountRow(int Line, string AccountId, string DisplayName, string Email, string Role, DateTimeOffset? LastLogin, string EntitlementsJson)
{
    public IReadOnlyList<AccountIdentifier> Identifiers { get; init; } = [];
    public IReadOnlyList<string> Groups { get; init; } = [];
    public IReadOnlyList<string> AdminRoles { get; init; } = [];
    public bool? Mfa { get; init; }
    public string? KeyStatus { get; init; }
    public string? Status { get; init; }

    /// <summary>False when the source says the account cannot sign in (suspended, deprovisioned, disabled).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The column <see cref="LastLogin"/> came from; null when it is empty or the export has no activity column.</summary>
    public string? LastActivitySource { get; init; }

    /// <summary>False when the export has no activity column at all: then nothing can be called dormant.</summary>
    public bool ActivityKnown { get; init; } = true;
}
