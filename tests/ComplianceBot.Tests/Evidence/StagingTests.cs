using System.Net;

namespace ComplianceBot.Tests.Evidence;

/// <summary>Upload bytes stay in the data folder while they arrive, and what a killed host left there is removed at the next start.</summary>
public sealed class StagingTests : IDisposable
{
    private readonly BotApplication _app = new();

    private string Staging => Path.Combine(_app.DataDirectory, "staging");

    [Fact]
    public async Task AWebUploadBeyond64KbIsBufferedInTheDataFolderAndNothingIsLeftAfterwards()
    {
        // The server's own client: the factory's default one buffers request bodies (to replay them on redirects).
        var client = _app.Server.CreateClient();
        var body = new GatedContent(firstPart: 200 * 1024, total: 300 * 1024);
        using var form = new MultipartFormDataContent { { new StringContent("dana.reyes@acme.example"), "user" }, { body, "file", "tickets.txt" } };

        var posting = client.PostAsync("/api/chat/files", form);
        await body.FirstPartSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var staged = await EventuallyAsync(() => Directory.Exists(Staging) ? Directory.GetFiles(Staging) : []);
        body.Release.SetResult();
        var response = await posting;

        Assert.Single(staged); // created only once the body passed 64 KB
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Directory.GetFiles(Staging));
    }

    [Fact]
    public async Task PartialUploadsLeftByAKilledHostAreRemovedAtStartButLiveOnesStay()
    {
        var incoming = Path.Combine(_app.DataDirectory, "evidence", "incoming");
        Directory.CreateDirectory(Staging);
        Directory.CreateDirectory(incoming);
        await File.WriteAllTextAsync(Path.Combine(Staging, "ASPNETCORE_left-by-crash.tmp"), "half a pdf");
        await File.WriteAllTextAsync(Path.Combine(incoming, "0123456789abcdef"), "half a spreadsheet");
        // Another host on the same data folder, mid-upload: its file is open (and so locked).
        await using var live = new FileStream(Path.Combine(Staging, "live.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

        _app.CreateClient();

        Assert.Equal(["live.tmp"], Directory.GetFiles(Staging).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(incoming));
    }

    public void Dispose() => _app.Dispose();

    private static async Task<string[]> EventuallyAsync(Func<string[]> files)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (files() is { Length: > 0 } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        return files();
    }

    /// <summary>A file body that sends its first part, then waits for the test before sending the rest.</summary>
    private sealed class GatedContent(int firstPart, int total) : HttpContent
    {
        public TaskCompletionSource FirstPartSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Enumerable.Repeat((byte)'a', firstPart).ToArray());
            await stream.FlushAsync();
            FirstPartSent.SetResult();
            await Release.Task;
            await stream.WriteAsync(Enumerable.Repeat((byte)'b', total - firstPart).ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = total;
            return true;
        }
    }
}
