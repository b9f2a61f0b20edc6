namespace ComplianceBot.Channels.Teams;

/// <summary>
/// Where a Teams file's downloadUrl may point. A file sent to a bot in a personal chat is first uploaded to the sender's
/// OneDrive for Business, and the bot gets a short-lived, pre-authorised SharePoint URL for it
/// (https://{tenant}-my.sharepoint.com/personal/…/download.aspx?…; see "Send and receive files using bot" in the Teams
/// platform docs). So only https on port 443 of *.sharepoint.com is fetched, plus hosts an operator adds.
/// </summary>
public static class TeamsFileDownloadPolicy
{
    public const string SharePointSuffix = ".sharepoint.com";

    public static bool IsAllowed(Uri url, IEnumerable<string> additionalHosts)
    {
        if (!url.IsAbsoluteUri || url.UserInfo.Length > 0)
        {
            return false;
        }

        if (url.Scheme == Uri.UriSchemeHttps && url.Port == 443 && url.Host.EndsWith(SharePointSuffix, StringComparison.OrdinalIgnoreCase)
            && url.Host.Length > SharePointSuffix.Length)
        {
            return true;
        }

        // An added "host" means https on 443; "host:port" names the port (and allows http, for a local test double).
        return additionalHosts.Any(entry => entry.Contains(':', StringComparison.Ordinal)
            ? string.Equals(entry, $"{url.Host}:{url.Port}", StringComparison.OrdinalIgnoreCase) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            : string.Equals(entry, url.Host, StringComparison.OrdinalIgnoreCase) && url.Scheme == Uri.UriSchemeHttps && url.Port == 443);
    }
}
