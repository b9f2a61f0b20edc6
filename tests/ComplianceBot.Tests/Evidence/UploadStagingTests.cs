using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Web;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.Evidence;

/// <summary>
/// Web chat uploads are staged in the data folder (never ASP.NET Core's temp files for bodies over 64 KB), deleted after
/// the request, and files an earlier run left behind are removed at startup.
/// </summary>
public sealed class UploadStagingTests : IDisposable
{
    private readonly BotApplication _app = new();

    public void Dispose() => _app.Dispose();

    private string Staging => Path.Combine(_app.DataDirectory, "staging");

    private static byte[] LargePdf(int size)
    {
        var head = Encoding.ASCII.GetBytes("%PDF-1.7\n% large\n1 0 obj << /Type /Catalog >> endobj\n");
        var tail = Encoding.ASCII.GetBytes("\n%%EOF\n");
        var content = new byte[size];
        RandomNumberGenerator.Fill(content);
        head.CopyTo(content, 0);
        // Keep the body free of "%%EOF" look-alikes: fill with printable comment bytes between head and tail.
        for (var i = head.Length; i < size - tail.Length; i++)
        {
            content[i] = (byte)('a' + (content[i] % 26));
        }

        tail.CopyTo(content, size - tail.Length);
        return content;
    }

    [Fact]
    public async Task AFileLargerThan64KbArrivesIntactAndNothingStaysStagedAfterTheRequest()
    {
        var chat = new WebChatDriver(_app.CreateClient(), "dana.reyes@acme.example");
        var content = LargePdf(300 * 1024);

        var question = (await chat.UploadAsync("access-report.pdf", content))[0];
        Assert.Contains("Which task", question.GetProperty("text").GetString());
        Assert.Empty(Directory.Exists(Staging) ? Directory.GetFiles(Staging) : []);

        await using var scope = _app.Scope();
        var task = await BotApplication.Db(scope).ControlTasks.AsNoTracking()
            .Where(t => t.Assignee!.Email == "dana.reyes@acme.example" && t.Status == ControlTaskStatus.Open).OrderBy(t => t.Id).FirstAsync();
        var done = (await chat.SubmitAsync(question, new Dictionary<string, string> { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture) }))[0];
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        Assert.Contains(sha, done.GetProperty("text").GetString());
        Assert.Equal(content.Length, (await BotApplication.Db(scope).EvidenceItems.SingleAsync(e => e.TaskId == task.Id)).Length);
    }

    [Fact]
    public async Task AFileOverTheLimitIsRefusedByNameAndNotKept()
    {
        _app.Settings["Evidence:MaxBytes"] = "4096";
        var chat = new WebChatDriver(_app.CreateClient(), "dana.reyes@acme.example");

        var reply = (await chat.UploadAsync("huge.pdf", LargePdf(200 * 1024)))[0];

        Assert.Contains("larger than", reply.GetProperty("text").GetString());
        Assert.Empty(Directory.Exists(Staging) ? Directory.GetFiles(Staging) : []);
    }

    [Fact]
    public async Task StagedFilesLeftByACrashAreRemovedAtStartupButAnotherHostsUploadInFlightIsKept()
    {
        Directory.CreateDirectory(Staging);
        var stale = Path.Combine(Staging, "left-by-a-crash.upload");
        await File.WriteAllBytesAsync(stale, [1, 2, 3]);
        var inFlight = Path.Combine(Staging, "another-host.upload");
        // Held the way UploadStaging holds an upload in flight (a shared lock until it is closed).
        await using (var held = new FileStream(inFlight, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete))
        {
            _app.CreateClient();

            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(inFlight));
        }
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=abc", "--abc\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\ndana.reyes@acme.example\r\n--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7 no closing boundary")]
    [InlineData("multipart/form-data; boundary=abc", "--abc\r\nX-Nothing: here\r\n\r\nvalue\r\n--abc--\r\n")]
    [InlineData("multipart/form-data", "--abc\r\n\r\n--abc--\r\n")]
    public async Task AMalformedUploadIsA400AndLeavesNothingStaged(string contentType, string body)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await _app.CreateClient().PostAsync("/api/chat/files", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(Directory.Exists(Staging) ? Directory.GetFiles(Staging) : []);
    }
}
