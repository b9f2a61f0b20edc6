namespace ComplianceBot.Evidence;

/// <summary>
/// Upload bytes on their way into the evidence store (a web chat form beyond 64 KB, a blob upload's spool) are staged
/// in the data folder rather than the OS temp folder, so a crash leaves evidence nowhere else, and the next start
/// removes what it left (<see cref="RemoveLeftovers"/>).
/// </summary>
public sealed class StagingFolder(string path)
{
    /// <summary>The folder, created on first use.</summary>
    public string Path => Directory.CreateDirectory(path).FullName;

    /// <summary>A new staging file, deleted when closed; locked while open, so a starting host leaves it alone.</summary>
    public FileStream CreateFile() =>
        new(System.IO.Path.Combine(Path, Guid.NewGuid().ToString("N") + ".tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            81920, FileOptions.Asynchronous | FileOptions.DeleteOnClose);

    /// <summary>Deletes what a crashed run left in <paramref name="folder"/>; returns how many files it removed.</summary>
    /// <remarks>
    /// Another host may share the data folder (two hosts on one SQLite file) and be mid-upload: its files are open,
    /// and FileStream takes an advisory lock on open, so opening exclusively fails for exactly those and they stay.
    /// </remarks>
    public static int RemoveLeftovers(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            try
            {
                using (new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                    removed++;
                }
            }
            catch (IOException)
            {
                // In use by a live upload.
            }
        }

        return removed;
    }
}
