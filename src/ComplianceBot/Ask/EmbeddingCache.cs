using System.Security.Cryptography;
using System.Text;

namespace ComplianceBot.Ask;

/// <summary>
/// Passage vectors on disk, keyed by (model id, SHA-256 of the embedded text), so a restart or a knowledge edit only
/// embeds passages whose text is new. One file per model under the data directory; it holds the vectors of the
/// latest build only (entries for passages that no longer exist are dropped on save), so it does not grow with edits.
/// A second, shared file of the same format beside the knowledge files (knowledge/vectors/, written by the
/// `embed-knowledge` command at build time) is read too, so a fresh host or a second host of the same organisation
/// embeds nothing that was embedded once. A missing, foreign or damaged file is treated as empty: the cache can only
/// save time, never change an answer.
/// </summary>
/// <param name="directory">This host's own cache (under the data directory).</param>
/// <param name="logger">Warnings about unreadable or unwritable files.</param>
/// <param name="sharedDirectory">The vectors shipped with the knowledge files, or null.</param>
/// <param name="writeShared">Also (re)write the shared file with the current vectors (the `embed-knowledge` command).</param>
public sealed class EmbeddingCache(string directory, ILogger? logger = null, string? sharedDirectory = null, bool writeShared = false)
{
    /// <summary>The shared vectors' folder inside the knowledge folder (no knowledge reader looks into it).</summary>
    public const string SharedFolder = "vectors";

    private const uint Magic = 0x31454243; // "CBE1"

    public string Directory { get; } = directory;

    public string? SharedDirectory { get; } = sharedDirectory;

    /// <summary>The same cache for another set of texts (e.g. "intents"), in subfolders of both directories.</summary>
    public EmbeddingCache For(string subfolder) =>
        new(Path.Combine(Directory, subfolder), logger, SharedDirectory is null ? null : Path.Combine(SharedDirectory, subfolder), writeShared);

    /// <summary>This cache, writing the shared file too.</summary>
    public EmbeddingCache Sharing() => SharedDirectory is null
        ? throw new InvalidOperationException("No shared vectors directory is configured")
        : new(Directory, logger, SharedDirectory, writeShared: true);

    /// <summary>Vectors for <paramref name="texts"/>, embedding only the texts neither cache file holds.</summary>
    /// <returns>The vectors in order, and how many had to be embedded.</returns>
    public (float[][] Vectors, int Embedded) GetOrEmbed(IEmbedder embedder, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var path = PathFor(embedder.ModelId);
        var sharedPath = SharedDirectory is null ? null : Path.Combine(SharedDirectory, Path.GetFileName(path));
        var local = Read(path);
        var shared = sharedPath is null ? [] : Read(sharedPath);
        var keys = texts.Select(Key).ToArray();
        var missing = Enumerable.Range(0, texts.Count).Where(i => !local.ContainsKey(keys[i]) && !shared.ContainsKey(keys[i])).ToList();
        var fresh = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (missing.Count > 0)
        {
            var embedded = embedder.Embed([.. missing.Select(i => texts[i])], cancellationToken);
            for (var j = 0; j < missing.Count; j++)
            {
                fresh[keys[missing[j]]] = embedded[j];
            }
        }

        var vectors = keys.Select(k => local.GetValueOrDefault(k) ?? shared.GetValueOrDefault(k) ?? fresh[k]).ToArray();
        var distinct = keys.Distinct(StringComparer.Ordinal).Count();
        // This host's file holds what the shared one lacks; when the shared file has it all, there is nothing to keep.
        if (!keys.All(shared.ContainsKey) && (!keys.All(local.ContainsKey) || local.Count != distinct))
        {
            Write(path, keys, vectors);
        }

        if (writeShared && sharedPath is not null && (!keys.All(shared.ContainsKey) || shared.Count != distinct))
        {
            Write(sharedPath, keys, vectors);
        }

        return (vectors, missing.Count);
    }

    public string PathFor(string modelId) => Path.Combine(Directory, KnowledgeCorpus.Slug(modelId) + ".vectors");

    internal static string Key(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private Dictionary<string, float[]> Read(string path)
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadUInt32() != Magic)
            {
                return result;
            }

            var count = reader.ReadInt32();
            var dimensions = reader.ReadInt32();
            if (count < 0 || dimensions is <= 0 or > 8192)
            {
                return result;
            }

            for (var i = 0; i < count; i++)
            {
                var key = Convert.ToHexString(reader.ReadBytes(32));
                var vector = new float[dimensions];
                for (var d = 0; d < dimensions; d++)
                {
                    vector[d] = reader.ReadSingle();
                }

                result[key] = vector;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EndOfStreamException)
        {
            logger?.LogWarning(ex, "Ask: embedding cache {Path} unreadable; embedding from scratch", path);
            result.Clear();
        }

        return result;
    }

    private void Write(string path, string[] keys, float[][] vectors)
    {
        string? temporary = null;
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // Write beside, then rename: a crash mid-write leaves the previous file, never half a file.
            temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            var written = new HashSet<string>(StringComparer.Ordinal);
            var entries = keys.Select((k, i) => (Key: k, Vector: vectors[i])).Where(e => written.Add(e.Key)).ToList();
            using (var writer = new BinaryWriter(File.Create(temporary)))
            {
                writer.Write(Magic);
                writer.Write(entries.Count);
                writer.Write(entries.Count == 0 ? 1 : entries[0].Vector.Length);
                foreach (var (key, vector) in entries)
                {
                    writer.Write(Convert.FromHexString(key));
                    foreach (var value in vector)
                    {
                        writer.Write(value);
                    }
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not fatal: the vectors are in memory; the next start embeds again.
            logger?.LogWarning(ex, "Ask: embedding cache {Path} not written", path);
            if (temporary is not null && File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
