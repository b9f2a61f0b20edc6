namespace ComplianceBot.People;

/// <summary>The one email normaliser: directory emails are stored trimmed and lower-case.</summary>
public static class EmailAddress
{
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A plausible address (one @, something either side, no spaces); the directory keys people by it.</summary>
    public static bool IsPlausible(string? email) =>
        email is { Length: > 2 and <= 256 } && email.IndexOf('@') is var at && at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 && !email.Any(char.IsWhiteSpace);
}
