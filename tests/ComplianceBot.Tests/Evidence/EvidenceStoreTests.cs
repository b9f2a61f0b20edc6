using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ComplianceBot.Evidence;
using ComplianceBot.Tasks;
using ComplianceBot.Tests.Channels.Web;
using ComplianceBot.Tests.Fakes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComplianceBot.Tests.Evidence;

/// <summary>
/// The evidence store's promises, on the local file store and on Azure Blob Storage (Azurite, the real SDK over the
/// real protocol): content addressed, never overwritten, every read checked against the recorded SHA-256.
/// </summary>
[Collection(Azurite.Collection)]
public sealed class EvidenceStoreTests
{
    private static readonly byte[] Content = EvidenceFlowTests.Pdf("store contract");

    [Theory]
    [MemberData(nameof(Azurite.EvidenceStores), MemberType = typeof(Azurite))]
    public async Task TheSameBytesAreStoredOnceUnderTheirHashAndReadBackVerified(string store)
    {
        await using var target = await StoreAsync(store);

        var first = await target.Store.PutAsync(new MemoryStream(Content), default);
        var second = await target.Store.PutAsync(new MemoryStream(Content), default);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Content)), first.Sha256);
        Assert.Equal(first, second);
        Assert.Equal(Content.Length, first.Length);
        Assert.True(await target.Store.ExistsAsync(first.Sha256, default));
        Assert.False(await target.Store.ExistsAsync(new string('0', 64), default));
        Assert.Equal(Content, await ReadAllAsync(target.Store, first.Sha256));
        Assert.Null(await target.Store.ProblemAsync(default));
    }

    [Theory]
    [MemberData(nameof(Azurite.EvidenceStores), MemberType = typeof(Azurite))]
    public async Task BytesAlteredInTheStoreFailTheReadInsteadOfReachingAnExport(string store)
    {
        await using var target = await StoreAsync(store);
        var stored = await target.Store.PutAsync(new MemoryStream(Content), default);

        await target.TamperAsync(stored.Sha256, EvidenceFlowTests.Pdf("altered after the fact"));

        var error = await Assert.ThrowsAsync<EvidenceIntegrityException>(() => ReadAllAsync(target.Store, stored.Sha256));
        Assert.Contains(stored.Sha256, error.Message);
    }

    [Theory]
    [MemberData(nameof(Azurite.EvidenceStores), MemberType = typeof(Azurite))]
    public async Task AFileThatIsNotThereIsNotFound(string store)
    {
        await using var target = await StoreAsync(store);

        await Assert.ThrowsAnyAsync<FileNotFoundException>(() => ReadAllAsync(target.Store, Convert.ToHexStringLower(SHA256.HashData("missing"u8))));
    }

    [Theory]
    [MemberData(nameof(Azurite.EvidenceStores), MemberType = typeof(Azurite))]
    public async Task StoringAgainNeverReplacesWhatIsStored(string store)
    {
        await using var target = await StoreAsync(store);
        var stored = await target.Store.PutAsync(new MemoryStream(Content), default);
        var before = await target.VersionAsync(stored.Sha256);

        await target.Store.PutAsync(new MemoryStream(Content), default);

        Assert.Equal(before, await target.VersionAsync(stored.Sha256));
        if (target.Container is { } container)
        {
            // The store's own guard: a create-only PUT (If-None-Match: *) of an existing name is refused by the service.
            var blob = container.GetBlobClient("sha256/" + stored.Sha256);
            var refused = await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(new BinaryData(Content),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }));
            Assert.Equal(409, refused.Status);
            Assert.Equal(stored.Sha256, (await blob.GetPropertiesAsync()).Value.Metadata["sha256"]);
        }
        else
        {
            Assert.True(File.GetAttributes(Path.Combine(target.Root!, stored.Sha256[..2], stored.Sha256[2..4], stored.Sha256)).HasFlag(FileAttributes.ReadOnly));
        }
    }

    [Theory]
    [MemberData(nameof(Azurite.EvidenceStores), MemberType = typeof(Azurite))]
    public async Task AStoreThatCannotKeepItsPromisesIsNotReadyAndSaysWhy(string store)
    {
        if (store == "File")
        {
            var blocker = Path.GetTempFileName(); // a file where the evidence folder should be
            var files = new FileEvidenceStore(Path.Combine(blocker, "evidence"));
            Assert.Contains("evidence folder", await files.ProblemAsync(default));
            File.Delete(blocker);
            return;
        }

        // Azurite has no immutability support, like a real container created without version-level WORM.
        await using var target = await StoreAsync(store, immutabilityDays: 365);

        var problem = await target.Store.ProblemAsync(default);

        Assert.Contains("Evidence:Blob:ImmutabilityDays is 365", problem);
        Assert.Contains("version-level immutability", problem);
    }

    [Theory]
    [MemberData(nameof(Azurite.EvidenceStores), MemberType = typeof(Azurite))]
    public async Task EvidenceUploadedOnOneHostIsInTheExportOfAnother(string store)
    {
        var shared = Path.Combine(Path.GetTempPath(), "compliancebot-tests", "store-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(shared);
        var database = $"Data Source={Path.Combine(shared, "shared.db")}";
        var azurite = store == "Azurite" ? await Azurite.GetAsync() : null;
        var container = "hosts-" + Guid.NewGuid().ToString("N")[..12];
        BotApplication Host()
        {
            // Each host has its own data directory; they share only the database and, with Azure, the blob container.
            var app = new BotApplication();
            app.Settings["ConnectionStrings:ComplianceDb"] = database;
            if (azurite is not null)
            {
                app.Settings["Evidence:Store"] = "AzureBlob";
                app.Settings["Evidence:Blob:ConnectionString"] = azurite.ConnectionString;
                app.Settings["Evidence:Blob:Container"] = container;
            }
            else
            {
                app.Settings["Evidence:StoragePath"] = Path.Combine(shared, "evidence");
            }

            return app;
        }

        using var uploader = Host();
        using var exporter = Host();
        var content = EvidenceFlowTests.Pdf("uploaded on host A");
        ControlTask task;
        await using (var scope = uploader.Scope())
        {
            var today = DateOnly.FromDateTime(uploader.Clock.GetUtcNow().UtcDateTime);
            task = await BotApplication.Db(scope).ControlTasks.AsNoTracking().Include(t => t.Control)
                .Where(t => t.Assignee!.Email == "omar.haddad@acme.example" && t.Status == ControlTaskStatus.Open && t.PeriodStart <= today)
                .OrderBy(t => t.Id).FirstAsync();
        }

        var chat = new WebChatDriver(uploader.CreateClient(), "omar.haddad@acme.example");
        await chat.ClickAsync(EvidenceFlow.UploadAction, new Dictionary<string, string> { ["task"] = task.Id.ToString(CultureInfo.InvariantCulture) });
        var confirm = (await chat.UploadAsync("firewall-review.pdf", content))[0];
        await chat.SubmitAsync(confirm, new Dictionary<string, string>());

        using var zip = new ZipArchive(await exporter.CreateAdminClient().GetStreamAsync($"/api/admin/export?period={task.Period}"));
        var sha12 = Convert.ToHexStringLower(SHA256.HashData(content))[..12];
        var entry = Assert.Single(zip.Entries, e => e.FullName.Contains(sha12, StringComparison.Ordinal) && e.FullName.EndsWith("firewall-review.pdf", StringComparison.Ordinal));
        await using var exported = entry.Open();
        using var copy = new MemoryStream();
        await exported.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
        Assert.False(Directory.Exists(Path.Combine(uploader.DataDirectory, "evidence")) && Directory.EnumerateFiles(Path.Combine(uploader.DataDirectory, "evidence"), "*", SearchOption.AllDirectories).Any());

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(shared, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }

    private static async Task<byte[]> ReadAllAsync(IEvidenceStore store, string sha256)
    {
        await using var stream = await store.OpenReadAsync(sha256, default);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<StoreUnderTest> StoreAsync(string kind, int immutabilityDays = 0)
    {
        if (kind == "File")
        {
            var root = Path.Combine(Path.GetTempPath(), "compliancebot-tests", "files-" + Guid.NewGuid().ToString("N"));
            return new StoreUnderTest(new FileEvidenceStore(root), null, root);
        }

        var azurite = await Azurite.GetAsync();
        var options = new BlobEvidenceOptions { ConnectionString = azurite.ConnectionString, Container = "evidence-" + Guid.NewGuid().ToString("N")[..12], ImmutabilityDays = immutabilityDays };
        var container = EvidenceStorageSettings.Container(options);
        var staging = new UploadStaging(Path.Combine(Path.GetTempPath(), "compliancebot-tests", "staging-" + Guid.NewGuid().ToString("N")), NullLogger<UploadStaging>.Instance);
        return new StoreUnderTest(new BlobEvidenceStore(container, options, staging, TimeProvider.System, NullLogger<BlobEvidenceStore>.Instance), container, null);
    }

    private sealed record StoreUnderTest(IEvidenceStore Store, BlobContainerClient? Container, string? Root) : IAsyncDisposable
    {
        /// <summary>Changes stored bytes behind the store's back, as someone with access to the disk or the account could.</summary>
        public async Task TamperAsync(string sha256, byte[] other)
        {
            if (Container is not null)
            {
                await Container.GetBlobClient("sha256/" + sha256).UploadAsync(new BinaryData(other), overwrite: true);
                return;
            }

            var path = Path.Combine(Root!, sha256[..2], sha256[2..4], sha256);
            File.SetAttributes(path, FileAttributes.Normal);
            await File.WriteAllBytesAsync(path, other);
        }

        /// <summary>What changes when the stored object is replaced: the blob's ETag, the file's write time.</summary>
        public async Task<string> VersionAsync(string sha256) => Container is not null
            ? (await Container.GetBlobClient("sha256/" + sha256).GetPropertiesAsync()).Value.ETag.ToString()
            : File.GetLastWriteTimeUtc(Path.Combine(Root!, sha256[..2], sha256[2..4], sha256)).Ticks.ToString(CultureInfo.InvariantCulture);

        public async ValueTask DisposeAsync()
        {
            if (Container is not null)
            {
                await Container.DeleteIfExistsAsync();
            }
            else if (Directory.Exists(Root))
            {
                foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }

                Directory.Delete(Root, recursive: true);
            }
        }
    }
}
