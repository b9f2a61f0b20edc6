using System.Text.Json;
using ComplianceBot.Data;

namespace ComplianceBot.Audit;

/// <summary>One checkpoint as exported and as kept in checkpoints.jsonl (VERIFY.md, section 6).</summary>
public sealed record CheckpointLine(long Sequence, string Hash, string CreatedAt, string KeyId, string Signature)
{
    public static CheckpointLine From(AuditCheckpoint c) => new(c.Sequence, c.Hash, AuditEvent.FormatTimestamp(c.CreatedAt), c.KeyId, c.Signature);

    public byte[] SignedBytes() => System.Text.Encoding.UTF8.GetBytes($"compliancebot-audit-checkpoint-v1\n{Sequence}\n{Hash}\n{CreatedAt}\n");
}

/// <summary>
/// An append-only copy of every checkpoint beside the data (audit-checkpoints.jsonl): someone who can rewrite the database
/// but not this folder cannot roll the checkpoints back. With SQL Server the two are usually on different machines.
/// </summary>
public sealed class CheckpointFile(IConfiguration configuration, IHostEnvironment environment)
{
    private readonly Lock _gate = new();

    public string Path { get; } = System.IO.Path.Combine(DataExtensions.DataDirectory(configuration, environment), "audit-checkpoints.jsonl");

    public void Append(CheckpointLine line)
    {
        lock (_gate)
        {
            File.AppendAllText(Path, JsonSerializer.Serialize(line, JsonSerializerOptions.Web) + "\n");
        }
    }

    /// <summary>Every checkpoint in the file; a line that does not parse is returned as a problem, not skipped silently.</summary>
    public (List<CheckpointLine> Lines, List<string> Problems) ReadAll()
    {
        List<CheckpointLine> lines = [];
        List<string> problems = [];
        if (!File.Exists(Path))
        {
            return (lines, problems);
        }

        var number = 0;
        foreach (var text in File.ReadLines(Path))
        {
            number++;
            try
            {
                if (text.Length > 0 && JsonSerializer.Deserialize<CheckpointLine>(text, JsonSerializerOptions.Web) is { Hash: not null, Signature: not null } line)
                {
                    lines.Add(line);
                }
            }
            catch (JsonException)
            {
                problems.Add($"{System.IO.Path.GetFileName(Path)} line {number} is not a checkpoint: the file was edited.");
            }
        }

        return (lines, problems);
    }
}
