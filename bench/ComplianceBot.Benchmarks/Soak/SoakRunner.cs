using System.Diagnostics;
using System.Globalization;
using ComplianceBot.Tests;
using ComplianceBot.Tests.Soak;

namespace ComplianceBot.Benchmarks.Soak;

/// <summary>
/// The kill -9 soak (issue #16): Release hosts as their own processes on one PostgreSQL database (the server in
/// COMPLIANCEBOT_TEST_POSTGRES) and one Azurite, SIGKILLed and restarted mid-load; prints the counts and exits 1 on any
/// loss or duplicate. The checks are <see cref="SoakRun"/>'s, shared with the two-host version in the tests.
/// </summary>
public static class SoakRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        var hostDll = Path.Combine(BotApplication.RepoRoot, "src", "ComplianceBot", "bin", "Release", "net10.0", "ComplianceBot.dll");
        if (!File.Exists(hostDll))
        {
            Console.Error.WriteLine($"Build the host first: dotnet build -c Release src/ComplianceBot ({hostDll} not found)");
            return 2;
        }

        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Tests.Data.TestDatabase.ServerVariable)))
        {
            Console.Error.WriteLine($"Set {Tests.Data.TestDatabase.ServerVariable} to a PostgreSQL server the soak may create a database on (bench/README.md shows a throw-away cluster).");
            return 2;
        }

        var options = new SoakOptions
        {
            HostDll = hostDll,
            Hosts = Arg(0, 3),
            Kills = Arg(1, 3),
            SlackEvents = Arg(2, 300),
            TeamsMessages = Arg(3, 100),
            Attestations = Arg(4, 20),
            Uploads = Arg(5, 20),
            Changes = Arg(6, 20),
            Log = line => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}"),
        };
        Console.WriteLine($"soak: {options.Hosts} Release hosts, {options.Kills} SIGKILLs, {options.SlackEvents} Slack events, {options.TeamsMessages} Teams messages, " +
            $"{options.Attestations} attestations, {options.Uploads} uploads, {options.Changes} changes ({Environment.ProcessorCount} cores, load average {LoadAverage()})");
        var clock = Stopwatch.StartNew();
        try
        {
            var report = await SoakRun.RunAsync(options, CancellationToken.None);
            report.WriteTo(Console.Out);
            Console.WriteLine($"total {clock.Elapsed.TotalSeconds:F0} s");
            return report.Passed ? 0 : 1;
        }
        finally
        {
            await Tests.Fakes.Azurite.StopAsync();
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
