using ComplianceBot.Data;
using ComplianceBot.Evidence;

namespace ComplianceBot.Operations;

/// <summary>
/// Checks the settings that decide where data lives before anything is registered, so a typo stops the host with one
/// line naming the setting and what it accepts instead of an exception and a stack trace.
/// </summary>
public static class SettingsCheck
{
    /// <summary>The problems, one line each; empty when the host can start.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        foreach (var check in new Action<IConfiguration>[] { c => DatabaseSettings.From(c), c => EvidenceStorageSettings.Check(c), CheckTelemetry })
        {
            try
            {
                check(configuration);
            }
            catch (InvalidSettingException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return problems;
    }

    private static void CheckTelemetry(IConfiguration configuration)
    {
        if (configuration["Telemetry:OtlpEndpoint"] is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            throw new InvalidSettingException($"Telemetry:OtlpEndpoint is '{endpoint}'; expected the collector's address, e.g. http://otel-collector:4318.");
        }

        if (configuration["Telemetry:Protocol"] is { Length: > 0 } protocol
            && !protocol.Equals("HttpProtobuf", StringComparison.OrdinalIgnoreCase) && !protocol.Equals("Grpc", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidSettingException($"Telemetry:Protocol is '{protocol}'; allowed values: HttpProtobuf, Grpc.");
        }
    }

    /// <summary>Writes each problem as one line on standard error; false when the host must not start.</summary>
    public static bool SettingsAreValid(this IHostApplicationBuilder builder)
    {
        var problems = Problems(builder.Configuration);
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"Not starting: {problem}");
        }

        return problems.Count == 0;
    }
}
