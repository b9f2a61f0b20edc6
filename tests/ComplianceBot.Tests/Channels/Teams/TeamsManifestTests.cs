using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComplianceBot.Help;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>
/// The Teams schema (v1.29) is not available offline, so this checks what it requires and limits, per
/// OfficeDev/microsoft-teams-app-schema: required fields, lengths, GUIDs, enums, icon sizes and the outline icon's colours.
/// </summary>
public sealed partial class TeamsManifestTests : IClassFixture<BotApplication>
{
    private static readonly string Folder = Path.Combine(BotApplication.RepoRoot, "manifests", "teams");
    private static readonly JsonObject Manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")))!.AsObject();
    private readonly BotApplication _app;

    public TeamsManifestTests(BotApplication app) => _app = app;

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex Guid();

    private static string Required(string path)
    {
        JsonNode? node = Manifest;
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        var value = (string?)node;
        Assert.False(string.IsNullOrWhiteSpace(value), $"manifest.json: {path} is required");
        return value!;
    }

    [Fact]
    public void UsesTheCurrentSchemaAndHasEveryRequiredTopLevelField()
    {
        Assert.Equal("https://developer.microsoft.com/json-schemas/teams/v1.29/MicrosoftTeams.schema.json", Required("$schema"));
        Assert.Equal("1.29", Required("manifestVersion"));
        Assert.Matches(@"^\d+\.\d+\.\d+$", Required("version"));
        Assert.Matches(Guid(), Required("id"));
        Assert.InRange(Required("developer.name").Length, 1, 32);
        foreach (var url in new[] { "developer.websiteUrl", "developer.privacyUrl", "developer.termsOfUseUrl" })
        {
            Assert.StartsWith("https://", Required(url));
        }

        Assert.InRange(Required("name.short").Length, 1, 30);
        Assert.InRange(Required("name.full").Length, 1, 100);
        Assert.InRange(Required("description.short").Length, 1, 80);
        Assert.InRange(Required("description.full").Length, 1, 4000);
        Assert.Matches("^#[0-9a-fA-F]{6}$", Required("accentColor"));
        Assert.Equal("color.png", Required("icons.color"));
        Assert.Equal("outline.png", Required("icons.outline"));
    }

    [Fact]
    public void DeclaresOneBotForAllScopesThatTakesFiles()
    {
        var bot = Assert.Single(Manifest["bots"]!.AsArray())!;
        Assert.Matches(Guid(), (string)bot["botId"]!);
        Assert.Equal(["personal", "team", "groupChat"], bot["scopes"]!.AsArray().Select(s => (string?)s));
        Assert.True((bool)bot["supportsFiles"]!);
        Assert.False((bool)bot["isNotificationOnly"]!);
        var validDomains = Manifest["validDomains"]!.AsArray().Select(d => (string)d!).ToList();
        Assert.InRange(validDomains.Count, 1, 100);
        Assert.All(validDomains, d => Assert.DoesNotContain("://", d));
    }

    [Fact]
    public void CommandsFitTheLimitsAndAreOnesTheBotUnderstands()
    {
        var lists = Manifest["bots"]![0]!["commandLists"]!.AsArray();
        Assert.InRange(lists.Count, 1, 3);
        var helpCommands = _app.Services.GetServices<HelpTopic>().Select(t => t.Command.Split('<')[0].Trim()).ToList();
        foreach (var list in lists)
        {
            var commands = list!["commands"]!.AsArray();
            Assert.InRange(commands.Count, 1, 10);
            foreach (var command in commands)
            {
                var title = (string)command!["title"]!;
                Assert.InRange(title.Length, 1, 32);
                Assert.InRange(((string)command["description"]!).Length, 1, 128);
                Assert.Contains(title, helpCommands);
            }
        }
    }

    [Fact]
    public void IconsHaveTheSizesTeamsRequiresAndTheOutlineIsWhiteOnTransparent()
    {
        var (colorWidth, colorHeight, _) = ReadPng(Path.Combine(Folder, "color.png"));
        Assert.Equal((192, 192), (colorWidth, colorHeight));

        var (width, height, pixels) = ReadPng(Path.Combine(Folder, "outline.png"));
        Assert.Equal((32, 32), (width, height));
        Assert.Contains(pixels, p => p.A == 0);
        Assert.Contains(pixels, p => p.A == 255);
        Assert.All(pixels.Where(p => p.A > 0), p => Assert.True(p is { R: 255, G: 255, B: 255 }, $"outline pixel {p} is not white"));
    }

    /// <summary>Reads an 8-bit RGBA, non-interlaced PNG (what make-icons.py writes) into pixels.</summary>
    private static (int Width, int Height, List<(byte R, byte G, byte B, byte A)> Pixels) ReadPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        for (var offset = 8; offset < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(bytes, offset + 4, 4);
            var data = bytes.AsSpan(offset + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                Assert.Equal(6, data[9]);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            offset += 12 + length;
        }

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        var stride = width * 4;
        var previous = new byte[stride];
        var pixels = new List<(byte, byte, byte, byte)>();
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride).ToArray();
            for (var i = 0; i < stride; i++)
            {
                int left = i >= 4 ? line[i - 4] : 0, up = previous[i], upLeft = i >= 4 ? previous[i - 4] : 0;
                line[i] = (byte)(line[i] + filter switch
                {
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => 0,
                });
            }

            for (var x = 0; x < width; x++)
            {
                pixels.Add((line[x * 4], line[x * 4 + 1], line[x * 4 + 2], line[x * 4 + 3]));
            }

            previous = line;
        }

        return (width, height, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
