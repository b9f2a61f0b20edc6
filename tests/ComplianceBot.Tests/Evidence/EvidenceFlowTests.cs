using System.Security.Cryptography;
using System.Text;
using ComplianceBot.Evidence;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Evidence;

public sealed class EvidenceFlowTests : IClassFixture<BotApplication>
{
    private readonly BotApplication _app;

    public EvidenceFlowTests(BotApplication app)
    {
        _app = app;
        _app.Settings["Evidence:MaxBytes"] = "4096";
    }

    public static byte[] Pdf(string marker) => Encoding.ASCII.GetBytes($"%PDF-1.7\n% {marker}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

    private WebChatDriver Chat(string user) => new(_app.CreateClient(), user);

    private async Task<List<ControlTask>> OpenTasksOfAsync(string email)
    {
        await using var scope = _app.Scope();
        var today = DateOnly.FromDateTime(_app.Clock.GetUtcNow().UtcDateTime);
        return await BotApplication.Db(scope).ControlTasks.AsNoTracking()
            .Where(t => t.Assignee!.Email == email && t.Status == ControlTaskStatus.Open && t.PeriodStart <= today).OrderBy(t => t.DueDate).ThenBy(t => t.ControlId).ToListAsync();
    }

    [Fact]
    public async Task AFileDroppedWithSeveralOpenTasksAsksWhichTaskThenAttachesItHashed()
    {
        var tasks = await OpenTasksOfAsync("dana.reyes@acme.example");
        Assert.True(tasks.Count > 1);
        var chat = Chat("dana.reyes@acme.example");
        var content = Pdf("several");

        var question = (await chat.UploadAsync("access-report.pdf", content))[0];
        var taskInput = question.GetProperty("form").GetProperty("inputs").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "task");
        Assert.Equal(tasks.Count, taskInput.GetProperty("options").GetArrayLength());
        Assert.Contains("Which task", question.GetProperty("text").GetString());

        var target = tasks[1];
        var done = (await chat.SubmitAsync(question, new Dictionary<string, string> { ["task"] = target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }))[0];

        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        Assert.Contains(sha, done.GetProperty("text").GetString());
        await using var scope = _app.Scope();
        var item = await BotApplication.Db(scope).EvidenceItems.SingleAsync(e => e.TaskId == target.Id);
        Assert.Equal(sha, item.Sha256);
        Assert.Equal(content.Length, item.Length);
        await using var stored = await scope.ServiceProvider.GetRequiredService<IEvidenceStore>().OpenReadAsync(sha, default);
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
        Assert.True(await BotApplication.Db(scope).AuditEvents.AnyAsync(e => e.Action == "evidence.attached" && e.Subject == $"task:{target.Id}"));
    }

    [Fact]
    public async Task UploadEvidenceButtonPreselectsTheTaskAndTheSameFileTwiceIsRecognised()
    {
        var task = (await OpenTasksOfAsync("omar.haddad@acme.example"))[0];
        var chat = Chat("omar.haddad@acme.example");
        var content = Pdf("twice");
        var data = new Dictionary<string, string> { ["task"] = task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        await chat.ClickAsync(EvidenceFlow.UploadAction, data);
        var confirm = (await chat.UploadAsync("policy.pdf", content))[0];
        Assert.Contains("Attach it to", confirm.GetProperty("text").GetString());
        await chat.SubmitAsync(confirm, new Dictionary<string, string>());

        await chat.ClickAsync(EvidenceFlow.UploadAction, data);
        var again = (await chat.UploadAsync("policy-copy.pdf", content))[0];
        var duplicate = (await chat.SubmitAsync(again, new Dictionary<string, string>()))[0];

        Assert.Contains("already attached", duplicate.ToString());
        await using var scope = _app.Scope();
        Assert.Equal(1, await BotApplication.Db(scope).EvidenceItems.CountAsync(e => e.TaskId == task.Id));
    }

    [Fact]
    public async Task AFileWhoseContentDoesNotMatchItsExtensionIsRejected()
    {
        var reply = (await Chat("dana.reyes@acme.example").UploadAsync("report.pdf", Encoding.UTF8.GetBytes("just text pretending to be a PDF")))[0];

        Assert.Contains("does not look like a .pdf", reply.GetProperty("text").GetString());
    }

    [Fact]
    public async Task AnExtensionOutsideTheAllowListIsRejected()
    {
        var reply = (await Chat("dana.reyes@acme.example").UploadAsync("tool.exe", [0x4D, 0x5A, 0x90, 0x00]))[0];

        Assert.Contains("allowed file types", reply.GetProperty("text").GetString());
    }

    [Fact]
    public async Task AFileOverTheSizeCapIsRejectedAndNotStored()
    {
        var big = Encoding.ASCII.GetBytes("%PDF-1.7\n" + new string('x', 10_000));

        var reply = (await Chat("dana.reyes@acme.example").UploadAsync("big.pdf", big))[0];

        Assert.Contains("larger than", reply.GetProperty("text").GetString());
        Assert.False(Directory.Exists(Path.Combine(_app.DataDirectory, "evidence", "incoming")) && Directory.EnumerateFiles(Path.Combine(_app.DataDirectory, "evidence", "incoming")).Any());
    }

    [Fact]
    public async Task AFileCannotBeAttachedByHashUnlessItWasReceivedInThisConversation()
    {
        var task = (await OpenTasksOfAsync("dana.reyes@acme.example"))[0];

        var reply = (await Chat("dana.reyes@acme.example").ClickAsync(EvidenceFlow.AttachAction, new Dictionary<string, string>
        {
            ["files"] = new string('a', 64),
            ["task"] = task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }))[0];

        Assert.Contains("no longer have those files", reply.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(".png", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, true)]
    [InlineData(".png", new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, false)]
    [InlineData(".xlsx", new byte[] { 0x50, 0x4B, 0x03, 0x04, 1 }, true)]
    [InlineData(".csv", new byte[] { 0x61, 0x2C, 0x62, 0x0A }, true)]
    [InlineData(".csv", new byte[] { 0x61, 0x00, 0x62 }, false)]
    [InlineData(".exe", new byte[] { 0x4D, 0x5A }, false)]
    public void SignaturesAreCheckedPerExtension(string extension, byte[] header, bool expected) =>
        Assert.Equal(expected, EvidenceIntake.SignatureMatches(extension, header));
}
