using System.Collections;
using System.Reflection;
using Microsoft.Bot.Connector.Authentication;

namespace ComplianceBot.Channels.Teams;

/// <summary>
/// Makes the SDK fetch the Bot Connector's signing keys again when a token names a key it has not seen: Microsoft
/// rotates them, and until we fetch the new set every message would be refused.
/// <para>
/// Why our own: Microsoft.Bot.Connector 4.23.1 (JwtTokenExtractor) keeps one IdentityModel ConfigurationManager per
/// metadata URL — OpenID configuration and key endorsements — in private static caches and, unlike the JS and Python
/// SDKs, never refreshes them on an unknown key id; it waits for the 12-hour automatic refresh. Dropping our metadata
/// URLs' managers makes the next validation build fresh ones, which fetch metadata, keys and endorsements before they
/// answer. Reflection on the pinned SDK version; <c>TeamsKeyRotationTests</c> fails if the fields move.
/// </para>
/// Throttled to one refresh per <see cref="MinimumInterval"/>, so tokens with made-up key ids cannot make us hammer
/// the identity provider.
/// </summary>
public sealed class SigningKeyRefresh(IConfiguration configuration, TimeProvider clock, ILogger<SigningKeyRefresh> logger)
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(5);

    private static readonly string[] CacheFields = ["_openIdMetadataCache", "_endorsementsCache"];
    private readonly Lock _gate = new();
    private DateTimeOffset? _last;

    // The metadata URLs ConfigurationBotFrameworkAuthentication validates against (same settings, same defaults).
    private readonly string[] _metadataUrls =
    [
        configuration["ToBotFromChannelOpenIdMetadataUrl"] ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
        configuration["ToBotFromEmulatorOpenIdMetadataUrl"] ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    ];

    /// <summary>Drops the SDK's cached keys unless that was done less than <see cref="MinimumInterval"/> ago; true when dropped.</summary>
    public bool TryRefresh()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_last is { } last && now - last < MinimumInterval)
            {
                return false;
            }

            _last = now;
        }

        foreach (var name in CacheFields)
        {
            if (typeof(JwtTokenExtractor).GetField(name, BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) is IDictionary cache)
            {
                foreach (var url in _metadataUrls)
                {
                    cache.Remove(url);
                }
            }
            else
            {
                logger.LogError("Cannot refresh the Bot Connector signing keys: JwtTokenExtractor.{Field} is missing in this SDK version", name);
                return false;
            }
        }

        logger.LogWarning("A Bot Connector token names a signing key we do not have; fetching the OpenID metadata and keys again");
        return true;
    }
}
