namespace ComplianceBot.Evidence;

/// <summary>
/// Upload bytes on their way into the evidence store wait in the data folder's staging/ folder, never in the system
/// temp folder (where ASP.NET Core buffers multipart files over 64 KB), so evidence never leaves the data folder. A
/// staged file is deleted when closed; one left by a crash is removed at the next start (<see cref="RemoveStale"/>).
/// </summary>
/// <param name="folder">The data folder's staging/ (see <see cref="EvidenceExtensions.AddEvidence"/>).</param>
public sealed class UploadStaging(string folder, ILogger<UploadStaging> logger)
{
    public string Folder => folder;

    /// <summary>A new staged file, deleted when the stream is disposed. Readers may open it meanwhile (<see cref="OpenRead"/>).</summary>
    public FileStream Create()
    {
        Directory.CreateDirectory(Folder);
        // FileShare.Read holds a shared lock while the upload is in flight, which RemoveStale's exclusive probe respects.
        return new FileStream(Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".upload"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
    }

    /// <summary>Another read-only view of a staged file, which stays readable after the file is deleted.</summary>
    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.Asynchronous);

    /// <summary>
    /// Deletes staged files that no running host holds open (left by a crash or a kill). Another host on the same data
    /// folder keeps its in-flight uploads: their lock makes the exclusive open fail.
    /// </summary>
    public int RemoveStale()
    {
        if (!Directory.Exists(Folder))
        {
            return 0;
        }

        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(Folder))
        {
            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                    removed++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // In use by a running host, or already gone.
            }
        }

        if (removed > 0)
        {
            logger.LogWarning("Evidence: removed {Count} staged upload file(s) left by an earlier run in {Folder}", removed, Folder);
        }

        return removed;
    }
}
