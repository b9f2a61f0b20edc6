using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ComplianceBot.ChangeApprovals.Callbacks;

/// <summary>
/// Keeps a callbackUrl from reaching into our own network (cloud metadata at 169.254.169.254, 10.x, loopback): at
/// submission the URL must be plain http(s) without userinfo, and an address literal (System.Uri also reads the
/// obfuscated forms 0x7f000001, 2130706433 and 127.1 as IPv4) must be public; at delivery the host name is resolved and
/// the connection is made only to an address that passes the same test (so DNS rebinding gets nowhere), never through a
/// proxy and never following redirects. <see cref="CallbackOptions.AllowedHosts"/> lets internal CI hosts through.
/// </summary>
public sealed class CallbackUrlPolicy(IOptions<CallbackOptions> options)
{
    /// <summary>The HttpClient for callbacks; configured by <see cref="CallbackExtensions.AddChangeCallbacks"/>.</summary>
    public const string ClientName = "ChangeCallbacks";

    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
        IPNetwork.Parse("64:ff9b::/96"), IPNetwork.Parse("2002::/16"),
    ];

    /// <summary>Null when <paramref name="url"/> may be stored as a callback; otherwise what is wrong with it.</summary>
    public string? Problem(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            return "callbackUrl must be an absolute http(s) URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "callbackUrl must not carry a user name or password (put a token in the query, or verify our signature instead).";
        }

        if (string.IsNullOrWhiteSpace(options.Value.Secret))
        {
            return "callbacks are signed, and no signing secret is configured: set Changes:Callbacks:Secret (shared with the pipeline) to use callbackUrl.";
        }

        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && !IsPermitted(uri.IdnHost, address)
            ? "callbackUrl points to a private, loopback or link-local address; allow internal CI hosts with Changes:Callbacks:AllowedHosts."
            : null;
    }

    /// <summary>True for an address on the public internet (IPv4-mapped IPv6 is judged as the IPv4 address it carries).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return !NonPublic.Any(network => network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address));
    }

    /// <summary>Whether a connection to <paramref name="address"/> (reached through <paramref name="host"/>) may be made.</summary>
    public bool IsPermitted(string host, IPAddress address) => IsPublic(address) || IsAllowListed(host, address);

    private bool IsAllowListed(string host, IPAddress address)
    {
        foreach (var entry in options.Value.AllowedHosts.Select(e => e.Trim()).Where(e => e.Length > 0))
        {
            if (entry.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(entry, out var network))
            {
                if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
                {
                    return true;
                }
            }
            else if (IPAddress.TryParse(entry.Trim('[', ']'), out var allowed))
            {
                if (allowed.Equals(address) || (address.IsIPv4MappedToIPv6 && allowed.Equals(address.MapToIPv4())))
                {
                    return true;
                }
            }
            else if (entry.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(entry[1..], StringComparison.OrdinalIgnoreCase)
                : string.Equals(host, entry, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The handler for callbacks: no redirects, no proxy, and connections only to permitted addresses.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var permitted = addresses.Where(a => IsPermitted(host, a)).ToList();
        if (permitted.Count == 0)
        {
            throw new HttpRequestException($"Refused to connect to {host}: it resolves only to private, loopback or link-local addresses (Changes:Callbacks:AllowedHosts).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. permitted], context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (Exception)
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The URL as it may be stored in audit data or logged: scheme, host, port and path; no userinfo, query or fragment (tokens live there).</summary>
    public static string Redact(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : "(invalid URL)";
}
