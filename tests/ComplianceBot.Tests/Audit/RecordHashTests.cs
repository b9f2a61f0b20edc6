using System.Security.Cryptography;
using System.Text;
using ComplianceBot.Audit;

namespace ComplianceBot.Tests.Audit;

/// <summary>The pooled-buffer hash is byte for byte the scheme VERIFY.md documents, whatever the text holds.</summary>
public sealed class RecordHashTests
{
    public static readonly TheoryData<string[]> Records =
    [
        [""],
        ["CC6.1", "2026-Q4", "dana.reyes@acme.example", "2026-11-27T14:00:00.0000000Z"],
        ["Zoë signed off", "naïve café", "日本語のメモ", "🔐 keys rotated", ""],
        ["a\ud800b", "\udfff", "line\nbreak", "12:34\n5:x"],
    ];

    [Theory]
    [MemberData(nameof(Records))]
    public void MatchesTheDocumentedSerialisation(string[] fields)
    {
        var canonical = new StringBuilder();
        foreach (var field in fields)
        {
            canonical.Append(field.Length).Append(':').Append(field).Append('\n');
        }

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));

        Assert.Equal(expected, RecordHash.Of(fields));
    }

    [Fact]
    public void FieldBoundariesCannotBeShifted()
    {
        Assert.NotEqual(RecordHash.Of("ab", "c"), RecordHash.Of("a", "bc"));
        Assert.NotEqual(RecordHash.Of("1:a\n", ""), RecordHash.Of("1:a\n1:"));
    }

    [Fact]
    public void ALongStatementIsHashedWhole()
    {
        var statement = new string('x', 200_000) + "é";

        Assert.NotEqual(RecordHash.Of(statement), RecordHash.Of(statement[..^1] + "e"));
    }
}
