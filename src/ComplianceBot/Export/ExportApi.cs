using System.IO.Compression;
using ComplianceBot.Admin;
using ComplianceBot.Audit;
using ComplianceBot.Channels.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ComplianceBot.Export;

public static class ExportApi
{
    public static IServiceCollection AddExport(this IServiceCollection services) =>
        services.AddScoped<IExportContributor, ProgramExportContributor>()
            .AddScoped<IExportContributor, Controls.ControlRecordExportContributor>()
            .AddScoped<IExportContributor, ExceptionsExportContributor>();

    public static RouteGroupBuilder MapExportAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/export").RequireAdminKey().WithTags("Admin");
        group.MapGet("/", Export);
        return group;
    }

    /// <summary>GET /api/admin/export?period=2026-Q4: a zip streamed as it is written (see <see cref="ExportWriter"/>).</summary>
    private static Results<PushStreamHttpResult, BadRequest<ProblemText>> Export(
        string? period, IEnumerable<IExportContributor> contributors, AuditTrail audit, Data.ComplianceDbContext db, TimeProvider clock, HttpContext http)
    {
        if (!ExportPeriod.TryParse(period, out var parsed))
        {
            return TypedResults.BadRequest(new ProblemText("Give the period as ?period=2026-Q4 (also 2026, 2026-H2, 2026-11, 2026-W48 or 2026-11-27)."));
        }

        var actor = http.AdminActor();
        return TypedResults.Stream(async body =>
        {
            var cancellationToken = http.RequestAborted;
            var generatedAt = clock.GetUtcNow();
            await using var output = new AsyncOnlyStream(body);
            await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken))
            {
                var writer = new ExportWriter(zip, parsed, generatedAt);
                foreach (var contributor in contributors.OrderBy(c => c.Order))
                {
                    await contributor.WriteAsync(writer, cancellationToken);
                }

                await writer.WriteManifestAsync(cancellationToken);
                audit.Record(actor, "export.generated", $"export:{parsed.Label}", new() { ["period"] = parsed.Label, ["files"] = writer.Entries.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                await db.SaveChangesAsync(cancellationToken);
            }

            await output.FlushAsync(cancellationToken);
        }, "application/zip", $"compliancebot-export-{parsed.Label}.zip");
    }

    /// <summary>
    /// Kestrel refuses synchronous writes, and ZipArchive still writes a few small headers synchronously when an entry
    /// closes. This stream parks those bytes and sends everything with async writes once 64 KB have gathered.
    /// </summary>
    private sealed class AsyncOnlyStream(Stream inner) : Stream
    {
        private const int FlushThreshold = 64 * 1024;
        private readonly MemoryStream _pending = new();

        public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _pending.Write(buffer.Span);
            if (_pending.Length >= FlushThreshold)
            {
                await FlushAsync(cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_pending.Length > 0)
            {
                await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
                _pending.SetLength(0);
            }

            await inner.FlushAsync(cancellationToken);
        }

        public override void Flush()
        {
            // Deliberately nothing: bytes leave only through FlushAsync.
        }

        public override async ValueTask DisposeAsync()
        {
            await FlushAsync(CancellationToken.None);
            await _pending.DisposeAsync();
            await base.DisposeAsync();
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
