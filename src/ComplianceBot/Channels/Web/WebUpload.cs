using System.Text;
using ComplianceBot.Conversations;
using ComplianceBot.Evidence;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ComplianceBot.Channels.Web;

/// <summary>
/// A multipart upload to the web chat read section by section: fields into memory, files straight into the data
/// folder's staging area (ReadFormAsync would buffer every file over 64 KB in the system temp folder). Disposing it
/// deletes the staged files.
/// </summary>
public sealed class WebUpload : IAsyncDisposable
{
    private const int MaxFiles = 10;
    private const int MaxFieldChars = 16 * 1024;

    private readonly List<(IncomingFile File, FileStream Staged)> _files = [];
    private readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<IncomingFile> Files => [.. _files.Select(f => f.File)];

    public string? Field(string name) => _fields.GetValueOrDefault(name);

    /// <summary>Reads the whole body; each file is cut at <paramref name="maxFileBytes"/> + 1 so the intake can say it is too large.</summary>
    /// <exception cref="InvalidDataException">The body is not well-formed multipart/form-data.</exception>
    public static async Task<WebUpload> ReadAsync(HttpRequest request, UploadStaging staging, long maxFileBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            throw new InvalidDataException("not multipart/form-data with a boundary");
        }

        var upload = new WebUpload();
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFormDisposition() && !disposition.IsFileDisposition())
                {
                    throw new InvalidDataException("a part without a form-data Content-Disposition");
                }

                if (disposition.IsFileDisposition())
                {
                    await upload.StageAsync(section, disposition, staging, maxFileBytes, cancellationToken);
                }
                else
                {
                    upload._fields[HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? ""] = await ReadFieldAsync(section.Body, cancellationToken);
                }
            }

            return upload;
        }
        catch
        {
            await upload.DisposeAsync();
            throw;
        }
    }

    private async Task StageAsync(MultipartSection section, ContentDispositionHeaderValue disposition, UploadStaging staging, long maxFileBytes, CancellationToken cancellationToken)
    {
        if (_files.Count == MaxFiles)
        {
            throw new InvalidDataException($"more than {MaxFiles} files");
        }

        var staged = staging.Create();
        _files.Add((null!, staged));
        var buffer = new byte[81920];
        long written = 0;
        int read;
        while ((read = await section.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            // Past the limit the rest is read and dropped: the intake only needs to know the file is too large.
            var keep = (int)Math.Min(read, maxFileBytes + 1 - written);
            if (keep > 0)
            {
                await staged.WriteAsync(buffer.AsMemory(0, keep), cancellationToken);
                written += keep;
            }
        }

        await staged.FlushAsync(cancellationToken);
        var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "upload";
        var path = staged.Name;
        _files[^1] = (new IncomingFile(Path.GetFileName(name), section.ContentType, written, _ => Task.FromResult<Stream>(UploadStaging.OpenRead(path))), staged);
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var buffer = new char[MaxFieldChars + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > MaxFieldChars ? throw new InvalidDataException($"a form field longer than {MaxFieldChars} characters") : new string(buffer, 0, length);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, staged) in _files)
        {
            await staged.DisposeAsync();
        }

        _files.Clear();
    }
}
