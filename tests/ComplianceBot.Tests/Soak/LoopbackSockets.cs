using System.Globalization;

namespace ComplianceBot.Tests.Soak;

/// <summary>
/// Which process holds one end of a loopback TCP connection (Linux /proc): lets the soak's Bot Connector name the host
/// that is posting to it, so that host can be SIGKILLed before it hears the answer. Null elsewhere.
/// </summary>
public static class LoopbackSockets
{
    /// <summary>The inode of the socket whose local port is <paramref name="localPort"/> and remote port <paramref name="remotePort"/>.</summary>
    public static long? InodeOf(int localPort, int remotePort)
    {
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            // "sl local_address rem_address st … uid timeout inode": addresses are HEXIP:HEXPORT.
            foreach (var fields in File.ReadLines(table).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length > 9))
            {
                if (Port(fields[1]) == localPort && Port(fields[2]) == remotePort && long.TryParse(fields[9], CultureInfo.InvariantCulture, out var inode) && inode != 0)
                {
                    return inode;
                }
            }
        }

        return null;
    }

    /// <summary>Whether the process has the socket open.</summary>
    public static bool Holds(int processId, long inode)
    {
        try
        {
            var target = $"socket:[{inode.ToString(CultureInfo.InvariantCulture)}]";
            return Directory.EnumerateFiles($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/fd").Any(fd => new FileInfo(fd).LinkTarget == target);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // the process is gone
        }
    }

    private static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
