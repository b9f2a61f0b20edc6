using System.Diagnostics;
using ComplianceBot.Operations;
using Microsoft.Extensions.Configuration;

namespace ComplianceBot.Tests.Operations;

/// <summary>A configuration mistake stops the host with one line naming the setting and what it accepts, never a stack trace.</summary>
public sealed class SettingsCheckTests
{
    private static IReadOnlyList<string> ProblemsWith(params (string Key, string Value)[] settings) =>
        SettingsCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    [Fact]
    public void TheEmbeddedDefaultsHaveNoProblems() => Assert.Empty(ProblemsWith());

    [Theory]
    [InlineData("Postgres")]
    [InlineData("sqlserver")]
    [InlineData("Sqlite")]
    public void EveryProviderIsAcceptedByNameInAnyCase(string provider) =>
        Assert.Empty(ProblemsWith(("Database:Provider", provider), ("ConnectionStrings:ComplianceDb", "Host=db;Database=compliancebot")));

    [Theory]
    [InlineData("MySql")]
    [InlineData("1")]
    [InlineData("Sqlite,Postgres")]
    public void AnUnknownProviderNamesTheSettingAndTheAllowedValues(string provider)
    {
        var problem = Assert.Single(ProblemsWith(("Database:Provider", provider)));

        Assert.Equal($"Database:Provider is '{provider}'; allowed values: Sqlite, SqlServer, Postgres.", problem);
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("SqlServer")]
    public void AServerDatabaseWithoutAConnectionStringSaysWhichSettingIsMissing(string provider)
    {
        var problem = Assert.Single(ProblemsWith(("Database:Provider", provider)));

        Assert.StartsWith($"ConnectionStrings:ComplianceDb is not set; it is required when Database:Provider is {provider}", problem);
        Assert.Contains("ConnectionStrings__ComplianceDb=", problem);
    }

    [Fact]
    public void AnUnknownEvidenceStoreNamesTheAllowedValues() =>
        Assert.Equal("Evidence:Store is 'S3'; allowed values: File, AzureBlob.", Assert.Single(ProblemsWith(("Evidence:Store", "S3"))));

    [Fact]
    public void BlobStorageWithoutAnAccountSaysWhatToSet()
    {
        var problem = Assert.Single(ProblemsWith(("Evidence:Store", "AzureBlob")));

        Assert.StartsWith("Evidence:Blob:ConnectionString or Evidence:Blob:ServiceUri is required when Evidence:Store is AzureBlob", problem);
    }

    [Theory]
    [InlineData("Evidence:Blob:ServiceUri", "acmeevidence.blob.core.windows.net", "Evidence:Blob:ServiceUri is 'acmeevidence.blob.core.windows.net'")]
    [InlineData("Evidence:Blob:Container", "Evidence_Files", "Evidence:Blob:Container is 'Evidence_Files'")]
    public void ABlobSettingInTheWrongShapeIsNamed(string key, string value, string expected)
    {
        var settings = new List<(string, string)> { ("Evidence:Store", "AzureBlob"), (key, value) };
        if (key != "Evidence:Blob:ServiceUri")
        {
            settings.Add(("Evidence:Blob:ServiceUri", "https://acmeevidence.blob.core.windows.net"));
        }

        Assert.StartsWith(expected, Assert.Single(ProblemsWith([.. settings])));
    }

    [Fact]
    public void BothMistakesAreReportedTogether() =>
        Assert.Equal(2, ProblemsWith(("Database:Provider", "Oracle"), ("Evidence:Store", "Disk")).Count);

    [Fact]
    public async Task TheHostStopsWithOneLineAndNoStackTrace()
    {
        // The real host binary, as an operator starts it: only the environment differs.
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "ComplianceBot.dll") },
            WorkingDirectory = BotApplication.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["Database__Provider"] = "Postgress",
                ["DataDirectory"] = Path.Combine(Path.GetTempPath(), "compliancebot-tests", "settings-" + Guid.NewGuid().ToString("N")),
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            },
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("Not starting: Database:Provider is 'Postgress'; allowed values: Sqlite, SqlServer, Postgres.", (await stderr).Trim());
        Assert.DoesNotContain(" at ", await stdout, StringComparison.Ordinal);
    }
}
