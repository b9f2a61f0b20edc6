namespace ComplianceBot.Knowledge;

/// <summary>
/// Spots the bundled demo organisation ("Acme Cloud", @acme.example) left in a real organisation's knowledge folder or
/// directory, which would make the bot talk about a company that is not hers.
/// </summary>
public static class DemoContent
{
    public const string Organisation = "Acme Cloud";
    public const string Domain = "acme.example";

    /// <returns>One warning per kind of leftover; empty for the pure demo and for a clean real organisation.</returns>
    public static IReadOnlyList<string> Leftovers(ProgramProfile profile, IEnumerable<string> directoryEmails, IEnumerable<string> controlOwners)
    {
        var demoOrganisation = string.Equals(profile.Organisation.Trim(), Organisation, StringComparison.OrdinalIgnoreCase);
        var emails = directoryEmails.ToList();
        var demoPeople = emails.Where(IsDemo).ToList();
        var otherDomains = emails.Where(e => !IsDemo(e)).Select(e => e[(e.IndexOf('@', StringComparison.Ordinal) + 1)..]).Distinct(StringComparer.OrdinalIgnoreCase).Order().ToList();
        var warnings = new List<string>();
        if (!demoOrganisation && demoPeople.Count > 0)
        {
            warnings.Add($"program.yaml names '{profile.Organisation}' but {demoPeople.Count} people are from the demo (@{Domain}, e.g. {demoPeople[0]}): remove them from people.yaml or the directory");
        }
        else if (demoOrganisation && otherDomains.Count > 0)
        {
            warnings.Add($"program.yaml still names the demo organisation '{Organisation}' while the directory has people from {string.Join(", ", otherDomains.Take(3))}: set organisation, description and compliance_contact in knowledge/program/program.yaml");
        }

        var demoOwners = controlOwners.Where(IsDemo).Distinct().ToList();
        if (!demoOrganisation && demoOwners.Count > 0)
        {
            warnings.Add($"{demoOwners.Count} control owner(s) in controls.yaml are demo people (e.g. {demoOwners[0]}): give those controls real owners");
        }

        if (!demoOrganisation && (profile.Description?.Contains("Acme", StringComparison.OrdinalIgnoreCase) == true || profile.ComplianceContact.EndsWith("@" + Domain, StringComparison.OrdinalIgnoreCase)))
        {
            warnings.Add("program.yaml's description or compliance_contact still mention the demo (Acme): rewrite them for your organisation");
        }

        return warnings;
    }

    private static bool IsDemo(string email) => email.EndsWith("@" + Domain, StringComparison.OrdinalIgnoreCase);
}
