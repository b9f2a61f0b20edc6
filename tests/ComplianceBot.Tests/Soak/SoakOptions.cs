namespace ComplianceBot.Tests.Soak;

/// <summary>What one soak run starts, sends and kills. The defaults are the bench's three-host run.</summary>
public sealed record SoakOptions
{
    /// <summary>The host to start as its own process (bench: bin/Release of src/ComplianceBot; tests: the copy in their bin folder).</summary>
    public required string HostDll { get; init; }

    public int Hosts { get; init; } = 3;

    /// <summary>How many times a host is SIGKILLed mid-load and restarted (round-robin over the hosts).</summary>
    public int Kills { get; init; } = 3;

    public int SlackEvents { get; init; } = 300;
    public int TeamsMessages { get; init; } = 100;
    public int Attestations { get; init; } = 20;
    public int Uploads { get; init; } = 20;

    /// <summary>Change requests a pipeline submits (with a callback URL) and the requester's manager approves in the web chat.</summary>
    public int Changes { get; init; } = 20;

    /// <summary>
    /// One more SIGKILL, aimed at the window issue #16 found: the host posting a change card to the Bot Connector dies
    /// after the connector took the card and before the host heard its answer.
    /// </summary>
    public bool KillMidTeamsSend { get; init; } = true;

    /// <summary>Requests in flight at once, spread round-robin over the hosts.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Postgres (a fresh database on the server in COMPLIANCEBOT_TEST_POSTGRES) or Sqlite (one file in the shared data folder).</summary>
    public string Database { get; init; } = "Postgres";

    /// <summary>Evidence in Azurite (blob storage) rather than the shared data folder.</summary>
    public bool Azurite { get; init; } = true;

    /// <summary>How long the hosts get to send what is left after the load (a killed host's leases run out first).</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(4);

    public Action<string> Log { get; init; } = _ => { };
}
