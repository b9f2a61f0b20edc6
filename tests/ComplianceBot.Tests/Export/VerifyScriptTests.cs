using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.Attestations;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.AccessReviews;
using ComplianceBot.Tests.Channels.Web;
using ComplianceBot.Tests.Evidence;
using Microsoft.EntityFrameworkCore;

namespace ComplianceBot.Tests.Export;

/// <summary>
/// The shipped verify.py, run with python3 on a real export: it verifies the untouched zip, and reports one flipped byte in
/// every kind of file and the deletion of the newest audit event.
/// </summary>
public sealed class VerifyScriptTests : IDisposable
{
    private const string Dana = "dana.reyes@acme.example";
    private readonly BotApplication _app = new();
    private readonly string _work = Path.Combine(Path.GetTempPath(), "compliancebot-verify", Guid.NewGuid().ToString("N"));

    public VerifyScriptTests() => Directory.CreateDirectory(_work);

    public void Dispose()
    {
        _app.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task VerifyPyAcceptsTheExportAndReportsEveryKindOfTampering()
    {
        var (controlId, pdf) = await RecordQuarterAsync();
        var zipBytes = await ExportAsync();
        var files = Unzip(zipBytes);
        var script = Path.Combine(_work, "verify.py");
        await File.WriteAllBytesAsync(script, files["verify.py"]);

        var clean = await RunAsync(script, zipBytes);
        Assert.True(clean.Exit == 0, clean.Output);
        Assert.Contains("VERIFIED", clean.Output);
        var key = await _app.CreateClient().GetFromJsonAsync<JsonElement>("/api/audit/signing-key");
        Assert.Contains(key.GetProperty("keyId").GetString()!, clean.Output);
        Assert.Equal(0, (await RunAsync(script, zipBytes, "--key-id", key.GetProperty("keyId").GetString()!)).Exit);
        Assert.Equal(1, (await RunAsync(script, zipBytes, "--key-id", new string('0', 64))).Exit);

        // The export.generated event is inside, and content_hash is recomputable from the CSV (a formula-looking note included).
        Assert.Contains("\"action\":\"export.generated\"", Encoding.UTF8.GetString(files["audit/events.jsonl"]));
        Assert.Contains("'=SUM(A1:A9)", Encoding.UTF8.GetString(files["attestations.csv"]));
        var evidencePath = $"controls/{controlId}/evidence/2026-Q4/{Convert.ToHexStringLower(SHA256.HashData(pdf))[..12]}-review.pdf";
        string[] kinds =
        [
            "attestations.csv", $"controls/{controlId}/attestations.csv", "tasks.csv", "evidence.csv", "people.csv", evidencePath,
            "access-reviews/GitHub-2026-Q4/source-accounts.csv", "audit/events.jsonl", "audit/chain.csv", "audit/checkpoints.jsonl",
            "evidence-problems.csv", "README.txt", "VERIFY.md", "verify.py", "signing-key.pem", "manifest.json", "manifest.sig",
        ];
        foreach (var name in kinds)
        {
            Assert.True(files.ContainsKey(name), $"{name} is not in the export");
            var tampered = new Dictionary<string, byte[]>(files) { [name] = Flip(files[name]) };
            var result = await RunAsync(script, Zip(tampered));
            Assert.True(result.Exit == 1, $"flipping a byte of {name} was not reported:\n{result.Output}");
            Assert.Contains("PROBLEM:", result.Output);
            string[] named = name switch { "manifest.json" => ["manifest"], "signing-key.pem" => ["signing-key.pem", "manifest.sig"], _ => [name] };
            Assert.True(named.Any(result.Output.Contains), $"the report for {name} does not name it:\n{result.Output}");
        }

        // Deleting the newest event: even with chain.csv, events.jsonl and the manifest rewritten to match, the signed
        // checkpoint of the head (and the manifest signature) give it away.
        var truncated = DeleteNewestEvent(files);
        var deleted = await RunAsync(script, Zip(truncated));
        Assert.Equal(1, deleted.Exit);
        Assert.Contains("the newest events were deleted", deleted.Output);
    }

    [Fact]
    public async Task AChangedOrMissingEvidenceFileIsListedAndTheExportStillCompletes()
    {
        var (controlId, pdf) = await RecordQuarterAsync();
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf));
        var stored = Path.Combine(_app.DataDirectory, "evidence", sha[..2], sha[2..4], sha);
        File.SetAttributes(stored, FileAttributes.Normal);
        await File.WriteAllBytesAsync(stored, EvidenceFlowTests.Pdf("swapped after the fact"));
        var source = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ReviewChat.GitHubQ4)));
        File.Delete(Path.Combine(_app.DataDirectory, "evidence", source[..2], source[2..4], source));

        var zipBytes = await ExportAsync();
        var files = Unzip(zipBytes);

        Assert.True(files.ContainsKey("manifest.sig"), "the zip was completed");
        var problems = Encoding.UTF8.GetString(files["evidence-problems.csv"]);
        Assert.Contains("no longer matches the SHA-256 recorded at upload", problems);
        Assert.Contains(sha, problems);
        Assert.Contains("access-reviews/GitHub-2026-Q4/source-accounts.csv,", problems);
        Assert.Contains("missing from the evidence store", problems);
        Assert.DoesNotContain("access-reviews/GitHub-2026-Q4/source-accounts.csv", files.Keys);
        Assert.Contains(controlId, problems);
        var script = Path.Combine(_work, "verify.py");
        await File.WriteAllBytesAsync(script, files["verify.py"]);
        var result = await RunAsync(script, zipBytes);
        Assert.True(result.Exit == 0, result.Output);
        Assert.Contains("FINDING: evidence", result.Output);
    }

    private async Task<(string ControlId, byte[] Pdf)> RecordQuarterAsync()
    {
        var chat = new WebChatDriver(_app.CreateClient(), Dana);
        ControlTask task;
        await using (var scope = _app.Scope())
        {
            task = await BotApplication.Db(scope).ControlTasks.AsNoTracking()
                .Where(t => t.Assignee!.Email == Dana && t.Status == ControlTaskStatus.Open && t.Period == "2026-Q4").OrderBy(t => t.Id).FirstAsync();
        }

        var data = new Dictionary<string, string> { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture) };
        await chat.ClickAsync("evidence.upload", data);
        var pdf = EvidenceFlowTests.Pdf("verify");
        await chat.SubmitAsync((await chat.UploadAsync("review.pdf", pdf))[0], new Dictionary<string, string>());
        var form = (await chat.ClickAsync(AttestationFlow.StartAction, data))[0];
        await chat.SubmitAsync(form, new Dictionary<string, string> { ["outcome"] = "PerformedWithExceptions", ["notes"] = "=SUM(A1:A9) rows were late, \"by 2 days\" — ünïcode 🙂" });

        await new ReviewChat(_app).ImportAsync("GitHub", "2026-Q4", ReviewChat.GitHubQ4);
        return (task.ControlId, pdf);
    }

    private async Task<byte[]> ExportAsync()
    {
        var response = await _app.CreateAdminClient().GetAsync("/api/admin/export?period=2026-Q4");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<(int Exit, string Output)> RunAsync(string script, byte[] zip, params string[] extra)
    {
        var path = Path.Combine(_work, Guid.NewGuid().ToString("N") + ".zip");
        await File.WriteAllBytesAsync(path, zip);
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, path }.Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private static Dictionary<string, byte[]> DeleteNewestEvent(Dictionary<string, byte[]> files)
    {
        var copy = new Dictionary<string, byte[]>(files);
        var chain = Encoding.UTF8.GetString(files["audit/chain.csv"]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var newest = chain[^1].Split(',')[0];
        copy["audit/chain.csv"] = Encoding.UTF8.GetBytes(string.Concat(chain[..^1].Select(l => l + "\r\n")));
        copy["audit/events.jsonl"] = Encoding.UTF8.GetBytes(string.Concat(Encoding.UTF8.GetString(files["audit/events.jsonl"]).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => JsonDocument.Parse(l).RootElement.GetProperty("sequence").GetInt64().ToString(CultureInfo.InvariantCulture) != newest).Select(l => l + "\n")));
        var manifest = JsonNode.Parse(files["manifest.json"])!;
        foreach (var entry in manifest["files"]!.AsArray())
        {
            var path = entry!["path"]!.GetValue<string>();
            entry["sha256"] = Convert.ToHexStringLower(SHA256.HashData(copy[path]));
            entry["bytes"] = copy[path].Length;
        }

        copy["manifest.json"] = Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return copy;
    }

    private static byte[] Flip(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0x01;
        return copy;
    }

    private static Dictionary<string, byte[]> Unzip(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip));
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
    }

    private static byte[] Zip(Dictionary<string, byte[]> files)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }

        return output.ToArray();
    }
}
