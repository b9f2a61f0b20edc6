namespace ComplianceBot.Tests.Fakes;

/// <summary>Stops Azurite once every test class of the collection has run.</summary>
public sealed class AzuriteLifetime : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Azurite.StopAsync();
}

/// <summary>The test classes that share the one Azurite of the run.</summary>
[CollectionDefinition(Azurite.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteLifetime>;
