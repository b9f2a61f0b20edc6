using ComplianceBot.Ask;
using ComplianceBot.Operations;
using ComplianceBot.Tests.Ask;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ComplianceBot.Tests.Operations;

public sealed class NativeMemoryTrimmerTests
{
    [Fact]
    public async Task TrimsOnceTheModelIsLoadedAndThenEveryInterval()
    {
        var (_, index) = AskTestKit.Create(BotApplication.RepoRoot, new AskOptions { DenseRetrieval = true, WatchKnowledge = false });
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = Options.Create(new RuntimeOptions { NativeTrimInterval = TimeSpan.FromMinutes(1) });
        using var trimmer = new NativeMemoryTrimmer(index, options, clock, NullLogger<NativeMemoryTrimmer>.Instance);
        await trimmer.StartAsync(CancellationToken.None);

        Assert.False(trimmer.Settled.IsCompleted); // MiniLM still loading: nothing to give back yet
        index.LoadEmbedder(() => new OneHotEmbedder(), CancellationToken.None);
        await trimmer.Settled.WaitAsync(TimeSpan.FromSeconds(30));
        var afterLoad = trimmer.Trims;
        clock.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(() => trimmer.Trims > afterLoad);
        await trimmer.StopAsync(CancellationToken.None);

        // glibc (the CI machine's Debian) trims; elsewhere the trimmer stands down without an error.
        Assert.Equal(OperatingSystem.IsLinux() ? 1 : 0, afterLoad);
        Assert.Equal(OperatingSystem.IsLinux() ? 2 : 0, trimmer.Trims);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline && OperatingSystem.IsLinux())
        {
            await Task.Delay(10);
        }
    }

    private sealed class OneHotEmbedder : IEmbedder
    {
        public string ModelId => "one-hot";

        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
            [.. texts.Select(_ => new float[] { 0, 1, 0, 0 })];
    }
}
