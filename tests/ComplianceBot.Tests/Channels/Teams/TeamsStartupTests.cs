using ComplianceBot.Channels.Teams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>Authentication is never silently off: anonymous only in Development; elsewhere a half configuration stops the host.</summary>
public sealed class TeamsStartupTests
{
    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "ComplianceBot";
        public string ContentRootPath { get; set; } = "/";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static TeamsAuthMode Decide(string environment, bool? enabled = null, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        return TeamsStartupCheck.Decide(BotCredentials.From(configuration), new TeamsOptions { Enabled = enabled }, new Environment(environment));
    }

    [Fact]
    public void DevelopmentWithoutAppIdRunsAnonymouslyForALocalConnector()
    {
        Assert.Equal(TeamsAuthMode.Anonymous, Decide("Development"));
    }

    [Fact]
    public void ProductionWithNothingConfiguredLeavesTeamsOff()
    {
        Assert.Equal(TeamsAuthMode.Inactive, Decide("Production"));
    }

    [Fact]
    public void ProductionWithTeamsEnabledButNoAppIdRefusesToStartNamingTheSettings()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Decide("Production", enabled: true));

        Assert.Contains("MicrosoftAppId", ex.Message);
        Assert.Contains("MicrosoftAppPassword", ex.Message);
        Assert.Contains("Production", ex.Message);
    }

    [Fact]
    public void ProductionWithAPasswordButNoAppIdRefusesToStart()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Decide("Staging", null, ("MicrosoftAppPassword", "secret"), ("MicrosoftAppTenantId", "t")));

        Assert.Contains("MicrosoftAppId", ex.Message);
    }

    [Fact]
    public void SingleTenantWithoutPasswordOrTenantRefusesToStartEvenInDevelopment()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Decide("Development", null, ("MicrosoftAppType", "SingleTenant"), ("MicrosoftAppId", "app")));

        Assert.Contains("MicrosoftAppPassword", ex.Message);
        Assert.Contains("MicrosoftAppTenantId", ex.Message);
    }

    [Fact]
    public void ManagedIdentityNeedsNoPassword()
    {
        Assert.Equal(TeamsAuthMode.Authenticated, Decide("Production", null, ("MicrosoftAppType", "UserAssignedMSI"), ("MicrosoftAppId", "app"), ("MicrosoftAppTenantId", "t")));
    }

    [Fact]
    public void CompleteSingleTenantConfigurationAuthenticatesEverywhere()
    {
        Assert.Equal(TeamsAuthMode.Authenticated, Decide("Development", null, ("MicrosoftAppType", "SingleTenant"), ("MicrosoftAppId", "app"), ("MicrosoftAppPassword", "p"), ("MicrosoftAppTenantId", "t")));
    }

    [Fact]
    public void HostOutsideDevelopmentWithTeamsEnabledAndNoAppIdDoesNotStart()
    {
        using var app = new BotApplication();
        app.Settings["environment"] = "Production";
        app.Settings["Teams:Enabled"] = "true";

        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("MicrosoftAppId", ex.ToString());
    }
}
