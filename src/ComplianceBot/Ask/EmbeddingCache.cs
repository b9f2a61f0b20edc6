using System.Security.Cryptography;
using System.Text;

namespace ComplianceBot.Ask;

/// <summary>
/// Passage vectors on disk, keyed by (model id, SHA-256 of the embedded text), so a restart or a knowledge edit only
/// embeds passages whose text is new. One file per model under the data directory; it holds the vectors of the
/// latest build only (entries for passages that no longer exist are dropped on save), so it does not grow with edits.
/// A missing, foreign or damaged file is treated as empty: the cache can only save time, never change an answer.
/// </summary>
public sealed class EmbeddingCache(string directory, ILogger? logger = null)
{
    private const uint Magic = 0x31454243; // "CBE1"

    public string Directory { get; } = directory;

    /// <summary>Vectors for <paramref name="texts"/>, embedding only the texts the cache does not hold.</summary>
    /// <returns>The vectors in order, and how many had to be embedded.</returns>
    public (float[][] Vectors, int Embedded) GetOrEmbed(IEmbedder embedder, IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var path = PathFor(embedder.ModelId);
        var known = Read(path);
        var keys = texts.Select(Key).ToArray();
        var missing = Enumerable.Range(0, texts.Count).Where(i => !known.ContainsKey(keys[i])).ToList();
        if (missing.Count > 0)
        {
            var fresh = embedder.Embed([.. missing.Select(i => texts[i])], cancellationToken);
            for (var j = 0; j < missing.Count; j++)
            {
                known[keys[missing[j]]] = fresh[j];
            }
        }

        var vectors = keys.Select(k => known[k]).ToArray();
        if (missing.Count > 0 || known.Count != keys.Distinct().Count())
        {
            Write(path, keys, vectors);
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
            System.IO.Directory.CreateDirectory(Directory);
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
