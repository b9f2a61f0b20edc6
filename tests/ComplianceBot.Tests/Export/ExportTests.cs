using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ComplianceBot.Attestations;
using ComplianceBot.Export;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Web;
using ComplianceBot.Tests.Evidence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Export;

public sealed class ExportTests
{
    [Fact]
    public async Task TheExportHoldsTasksAttestationsEvidenceAndAuditEventsAndEveryFileMatchesTheManifest()
    {
        using var app = new BotApplication();
        app.ConfigureTestServices = services => services.AddScoped<IExportContributor, ExtraContributor>();
        var chat = new WebChatDriver(app.CreateClient(), "dana.reyes@acme.example");
        ControlTask task;
        await using (var scope = app.Scope())
        {
            task = await BotApplication.Db(scope).ControlTasks.AsNoTracking().Include(t => t.Control)
                .Where(t => t.Assignee!.Email == "dana.reyes@acme.example" && t.Status == ControlTaskStatus.Open && t.Period == "2026-Q4").FirstAsync();
        }

        var data = new Dictionary<string, string> { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture) };
        await chat.ClickAsync("evidence.upload", data);
        var pdf = EvidenceFlowTests.Pdf("export");
        await chat.SubmitAsync((await chat.UploadAsync("quarterly review.pdf", pdf))[0], new Dictionary<string, string>());
        var form = (await chat.ClickAsync(AttestationFlow.StartAction, data))[0];
        await chat.SubmitAsync(form, new Dictionary<string, string> { ["outcome"] = "PerformedWithExceptions", ["notes"] = "One review, \"late\", by 2 days" });

        var response = await app.CreateAdminClient().GetAsync("/api/admin/export?period=2026-Q4", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var manifest = JsonDocument.Parse(Read(zip, "manifest.json")).RootElement;
        var listed = manifest.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => (Sha: f.GetProperty("sha256").GetString()!, Bytes: f.GetProperty("bytes").GetInt64()));
        var inZip = zip.Entries.Where(e => e.FullName is not ("manifest.json" or "manifest.sig")).Select(e => e.FullName).ToHashSet();
        Assert.Equal(inZip.Order(), listed.Keys.Order());
        foreach (var entry in zip.Entries.Where(e => e.FullName is not ("manifest.json" or "manifest.sig")))
        {
            var bytes = ReadBytes(entry);
            Assert.Equal(listed[entry.FullName].Sha, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(listed[entry.FullName].Bytes, bytes.Length);
        }

        var evidencePath = $"controls/{task.ControlId}/evidence/2026-Q4/{Convert.ToHexStringLower(SHA256.HashData(pdf))[..12]}-quarterly review.pdf";
        Assert.Equal(pdf, ReadBytes(zip.GetEntry(evidencePath)!));
        var attestations = Read(zip, $"controls/{task.ControlId}/attestations.csv");
        Assert.Contains("PerformedWithExceptions", attestations);
        Assert.Contains("\"One review, \"\"late\"\", by 2 days\"", attestations);
        Assert.EndsWith(",true\r\n", attestations);
        foreach (var criterion in task.Control!.Criteria)
        {
            Assert.Contains(task.ControlId, Read(zip, $"criteria/{criterion}/attestations.csv"));
        }

        Assert.Contains($"{task.ControlId},2026-Q4", Read(zip, "tasks.csv"));
        var events = Read(zip, "audit/events.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(events, e => e.GetProperty("action").GetString() == "attestation.recorded");
        Assert.Contains(events, e => e.GetProperty("action").GetString() == "evidence.attached");
        Assert.All(events, e => Assert.Equal(e.GetProperty("hash").GetString(), ComplianceBot.Audit.AuditEvent.ComputeHash(
            e.GetProperty("sequence").GetInt64(), DateTimeOffset.Parse(e.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture), e.GetProperty("actor").GetString()!, e.GetProperty("action").GetString()!,
            e.GetProperty("subject").GetString()!, e.GetProperty("data").GetString()!, e.GetProperty("previousHash").GetString()!)));
        Assert.Equal("extra for 2026-Q4", Read(zip, "extra/hello.txt"));
    }

    [Theory]
    [InlineData("2026-Q5")]
    [InlineData("last quarter")]
    [InlineData("")]
    public async Task AnUnknownPeriodIsA400(string period)
    {
        using var app = new BotApplication();

        var response = await app.CreateAdminClient().GetAsync($"/api/admin/export?period={Uri.EscapeDataString(period)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("from=2026-12-31&to=2026-10-01", "before from")]
    [InlineData("from=2026-01-01&to=2028-01-01", "at most two years")]
    [InlineData("from=2026-01-01", "both required")]
    [InlineData("from=2026-13-01&to=2027-01-01", "both required")]
    [InlineData("period=2026-Q4&from=2026-10-01&to=2026-12-31", "not both")]
    public async Task AReversedTooLongOrHalfGivenRangeIsA400ProblemAndNothingIsRecorded(string query, string says)
    {
        using var app = new BotApplication();
        var client = app.CreateAdminClient();
        int before;
        await using (var scope = app.Scope())
        {
            before = await BotApplication.Db(scope).AuditEvents.CountAsync();
        }

        var response = await client.GetAsync($"/api/admin/export?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        await using var check = app.Scope();
        Assert.Equal(before, await BotApplication.Db(check).AuditEvents.CountAsync());
    }

    [Fact]
    public async Task AnyAuditPeriodExportsWithFromAndTo()
    {
        using var app = new BotApplication();

        var response = await app.CreateAdminClient().GetAsync("/api/admin/export?from=2026-04-01&to=2027-03-31");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("2026-04-01_2027-03-31", response.Content.Headers.ContentDisposition?.FileName);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var manifest = JsonDocument.Parse(Read(zip, "manifest.json")).RootElement;
        Assert.Equal("2026-04-01", manifest.GetProperty("periodStart").GetString());
        Assert.Equal("2027-03-31", manifest.GetProperty("periodEnd").GetString());
        Assert.Contains("dana.reyes@acme.example", Read(zip, "people.csv"));
    }

    [Theory]
    [InlineData("2026-Q4", "2026-10-01", "2026-12-31")]
    [InlineData("2026-H1", "2026-01-01", "2026-06-30")]
    [InlineData("2026", "2026-01-01", "2026-12-31")]
    [InlineData("2026-02", "2026-02-01", "2026-02-28")]
    [InlineData("2026-W53", "2026-12-28", "2027-01-03")]
    [InlineData("2026-11-27", "2026-11-27", "2026-11-27")]
    public void PeriodsParseToTheirWindow(string label, string start, string end)
    {
        Assert.True(ExportPeriod.TryParse(label, out var period));
        Assert.Equal(DateOnly.Parse(start, CultureInfo.InvariantCulture), period.Start);
        Assert.Equal(DateOnly.Parse(end, CultureInfo.InvariantCulture), period.End);
    }

    private static string Read(ZipArchive zip, string path) => Encoding.UTF8.GetString(ReadBytes(zip.GetEntry(path) ?? throw new InvalidOperationException($"{path} missing")));

    private static byte[] ReadBytes(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>What another feature (access reviews, change approvals) does to add its files.</summary>
    private sealed class ExtraContributor : IExportContributor
    {
        public Task WriteAsync(ExportWriter export, CancellationToken cancellationToken) =>
            export.AddTextAsync("extra/hello.txt", $"extra for {export.Period.Label}", cancellationToken);
    }
}
