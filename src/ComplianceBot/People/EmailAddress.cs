namespace ComplianceBot.People;

/// <summary>
/// The one email normaliser, used wherever an email is stored or compared: trimmed and lower-case
/// (<see cref="Normalize"/>); for matching an account to a person also without plus-addressing, so
/// "Aisha.Khan+gh@acme.example" is Aisha (<see cref="Canonical"/>). Dots are kept: only some providers ignore them.
/// </summary>
public static class EmailAddress
{
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>The address a mailbox receives at: normalised, with any "+tag" removed from the local part.</summary>
    public static string Canonical(string email)
    {
        var normalized = Normalize(email);
        var at = normalized.LastIndexOf('@');
        var plus = at > 0 ? normalized.IndexOf('+', StringComparison.Ordinal) : -1;
        return plus > 0 && plus < at ? normalized[..plus] + normalized[at..] : normalized;
    }

    /// <summary>A plausible address (one @, something either side, no spaces); the directory keys people by it.</summary>
    public static bool IsPlausible(string? email) =>
        email is { Length: > 2 and <= 256 } && email.IndexOf('@') is var at && at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 && !email.Any(char.IsWhiteSpace);
}
