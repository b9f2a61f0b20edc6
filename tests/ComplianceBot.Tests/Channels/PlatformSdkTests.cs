using System.Diagnostics;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Conversations;
using ComplianceBot.Tests.Fakes;

namespace ComplianceBot.Tests.Channels;

/// <summary>Runs after every parallel test class (xunit runs collections that disable parallelization last).</summary>
[CollectionDefinition(nameof(PlatformSdkCollection), DisableParallelization = true)]
public sealed class PlatformSdkCollection;

/// <summary>
/// Every Slack payload and Adaptive Card the other tests made the host send (captured by the fakes, see
/// <see cref="PayloadCapture"/>), plus hostile replies at the maximum lengths, checked with the platforms' own SDKs:
/// tsc --strict against @slack/types, the adaptivecards SDK at 1.5, and the Teams manifest against its shipped schema.
/// The node packages live in Channels/Sdk (npm ci there; .ci/run does it) and a missing install fails, never skips.
/// </summary>
[Collection(nameof(PlatformSdkCollection))]
public sealed class PlatformSdkTests
{
    private static readonly string SdkFolder = Path.Combine(BotApplication.RepoRoot, "tests", "ComplianceBot.Tests", "Channels", "Sdk");
    private static readonly string TeamsManifest = Path.Combine(BotApplication.RepoRoot, "manifests", "teams", "manifest.json");

    [Fact]
    public async Task EveryPayloadTheTestsProducedPassesThePlatformSdks()
    {
        var captured = PayloadCapture.All;
        var corpus = HostileCorpusPayloads().ToList();
        var (exit, output) = await CheckAsync([.. captured, .. corpus], TeamsManifest);

        Assert.True(exit == 0, $"{captured.Count} payloads captured from the other tests, {corpus.Count} hostile ones:\n{output}");
        // Not vacuous: the hostile corpus alone holds payloads of every kind (a filtered run captures nothing else).
        Assert.True(corpus.Count(p => p.Kind == PayloadCapture.TeamsCard) >= 8, output);
        Assert.True(corpus.Count(p => p.Kind == PayloadCapture.SlackBlocks) >= 4, output);
        Assert.Contains(corpus, p => p.Kind == PayloadCapture.SlackModal);
        Assert.Contains(corpus, p => p.Kind == PayloadCapture.SlackHome);
        Assert.Contains("the Teams manifest: 0 problem(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABrokenPayloadFailsTheCheck()
    {
        var broken = new List<(string Kind, string Json)>
        {
            (PayloadCapture.SlackBlocks, """[{"type":"section","text":{"type":"mrkdwn","txt":"misspelt"}}]"""),
            (PayloadCapture.SlackModal, """{"type":"modal","title":{"type":"plain_text","text":"x"},"blocks":[{"type":"input","element":{"type":"plain_text_input"}}]}"""),
            (PayloadCapture.TeamsCard, """{"type":"AdaptiveCard","version":"1.5","body":[{"type":"NoSuchElement"},{"type":"Input.Text"}]}"""),
        };
        var (exit, output) = await CheckAsync(broken, null);

        Assert.Equal(1, exit);
        Assert.Contains("slack-blocks-0000.json: tsc", output, StringComparison.Ordinal);
        Assert.Contains("slack-modal-0001.json: tsc", output, StringComparison.Ordinal);
        Assert.Contains("teams-card-0002.json: parse: Unknown element type \"NoSuchElement\"", output, StringComparison.Ordinal);
        Assert.Contains("teams-card-0002.json: validate:", output, StringComparison.Ordinal);
    }

    /// <summary>Replies with hostile text in every part and fields at the longest the APIs accept, rendered for both platforms.</summary>
    public static IEnumerable<(string Kind, string Json)> HostileCorpusPayloads()
    {
        foreach (var reply in HostileReplies())
        {
            foreach (var message in SlackRenderer.Render(reply, reply.Form is null ? null : "form-1"))
            {
                yield return (PayloadCapture.SlackBlocks, message.Blocks.ToJsonString());
            }

            if (reply.Form is { } form)
            {
                yield return (PayloadCapture.SlackModal, SlackRenderer.RenderModal(form, reply.Text, new SlackFormContext(form.SubmitActionId, form.Data, [], "D1", "1.2")).ToJsonString());
            }

            foreach (var card in TeamsRenderer.Render(reply, ["29:1"]))
            {
                yield return (PayloadCapture.TeamsCard, card.ToJsonString());
            }
        }

        yield return (PayloadCapture.SlackHome, SlackRenderer.RenderHome(HostileReplies().Take(3).Select(r => r with { Form = null }), HostileText.Mixed).ToJsonString());
    }

    public static IEnumerable<Reply> HostileReplies()
    {
        var data = new Dictionary<string, string> { ["id"] = "1" };
        // More buttons than a host shows in one row (help, quick actions).
        yield return new Reply("help") { Actions = [.. Enumerable.Range(1, 12).Select(i => new ReplyAction($"b{i}", $"Button {i}", data))] };
        foreach (var length in new[] { 200, 4_000 })
        {
            var text = HostileText.OfLength(length);
            yield return new Reply(text)
            {
                Title = HostileText.OfLength(Math.Min(length, 200)),
                Details = RichText.Concat(RichText.Bold("Description"), "\n", text),
                Fields = [new("Rollback plan", text), new("Test evidence", text), new(HostileText.Mixed, HostileText.Mixed)],
                Actions = [new("a.approve", HostileText.Mixed, data, ActionStyle.Primary), new("a.reject", "Reject", data, ActionStyle.Danger) { Confirm = text }],
                Citations = [new(HostileText.Mixed, HostileText.Mixed, HostileText.Mixed)],
                Refresh = new UserSpecificView("a.view", data, [1]),
            };
            yield return new Reply(RichText.Concat("Answer with ", RichText.Bold("bold"), " and ", RichText.Link(new Uri("https://example.com/policy"), HostileText.Mixed)))
            {
                Items = [.. Enumerable.Range(1, 10).Select(i => new ReplyItem($"{i} {HostileText.OfLength(Math.Min(length, 300))}")
                {
                    Fields = [new("Change", "new"), new("Decision", HostileText.OfLength(Math.Min(length, 200)))],
                    Actions = [new("k", "Keep", data, ActionStyle.Primary), new("r", "Revoke", data, ActionStyle.Danger), new("d", "Defer", data), new("e", "Escalate", data)],
                })],
                Form = new ReplyForm(HostileText.Mixed, "f.submit", HostileText.Mixed,
                [
                    new ReplyInput("notes", HostileText.Mixed, InputKind.MultilineText) { Required = true, Value = HostileText.OfLength(Math.Min(length, 3_000)), Placeholder = HostileText.Mixed },
                    new ReplyInput("choice", HostileText.Mixed, InputKind.Choice) { Options = [new("v", HostileText.Mixed)] },
                ])
                {
                    Data = data,
                    Errors = new Dictionary<string, string> { ["notes"] = HostileText.Mixed },
                },
            };
        }
    }

    private static async Task<(int Exit, string Output)> CheckAsync(List<(string Kind, string Json)> payloads, string? manifest)
    {
        var missing = new[] { "typescript", "@slack/types", "adaptivecards", "@microsoft/app-manifest", "jsdom" }
            .Where(p => !Directory.Exists(Path.Combine(SdkFolder, "node_modules", p))).ToList();
        Assert.True(missing.Count == 0,
            $"The platform SDK checks need node packages ({string.Join(", ", missing)} missing): run `npm ci` in {SdkFolder} once (.ci/run does).");

        var folder = Directory.CreateTempSubdirectory("compliancebot-payloads-");
        try
        {
            for (var i = 0; i < payloads.Count; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, $"{payloads[i].Kind}-{i:D4}.json"), payloads[i].Json);
            }

            var start = new ProcessStartInfo("node") { WorkingDirectory = SdkFolder, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(SdkFolder, "check.mjs"));
            start.ArgumentList.Add(folder.FullName);
            if (manifest is not null)
            {
                start.ArgumentList.Add(manifest);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
