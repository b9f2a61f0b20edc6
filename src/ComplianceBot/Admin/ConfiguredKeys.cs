using System.Security.Cryptography;
using System.Text;

namespace ComplianceBot.Admin;

/// <summary>The keys set in configuration: the bootstrap admin key and the integration keys of Changes and Ask.</summary>
public sealed class ConfiguredKeys(IConfiguration configuration)
{
    /// <summary>Setting name, the roles it grants, and the audit actor of its use.</summary>
    public static readonly (string Setting, string[] Roles, string Actor)[] All =
    [
        ("Admin:ApiKey", [ApiPolicies.Admin], "break-glass:Admin:ApiKey"),
        ("Changes:ApiKey", [ApiPolicies.Integration], "break-glass:Changes:ApiKey"),
        ("Ask:ApiKey", [ApiPolicies.AskRole], "config:Ask:ApiKey"),
    ];

    /// <summary>The configured key the presented one equals, compared in constant time; null when none.</summary>
    public (string Setting, string[] Roles, string Actor)? Match(string presented)
    {
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        foreach (var key in All)
        {
            if (configuration[key.Setting] is { Length: > 0 } configured &&
                CryptographicOperations.FixedTimeEquals(presentedHash, SHA256.HashData(Encoding.UTF8.GetBytes(configured))))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>Settings holding a key too short to resist guessing (empty ones are closed, not weak).</summary>
    public IEnumerable<string> TooShort() =>
        All.Where(k => configuration[k.Setting] is { Length: > 0 and < AdminOptions.MinimumKeyLength }).Select(k => k.Setting);
}
