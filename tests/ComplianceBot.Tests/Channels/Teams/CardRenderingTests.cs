using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceBot.AccessReviews;
using ComplianceBot.ChangeApprovals;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Conversations;
using ComplianceBot.People;
using Xunit.Abstractions;

namespace ComplianceBot.Tests.Channels.Teams;

/// <summary>
/// The approval card and the worst realistic access-review page as a person sees them: rendered by the official
/// adaptivecards JS renderer in headless Chromium (Channels/Sdk/render.mjs, Teams-like host config). With
/// COMPLIANCEBOT_SCREENSHOTS=&lt;folder&gt; the screenshots are also written there (the README's docs/screenshots).
/// </summary>
public sealed class CardRenderingTests(ITestOutputHelper output)
{
    private static readonly string SdkFolder = Path.Combine(BotApplication.RepoRoot, "tests", "ComplianceBot.Tests", "Channels", "Sdk");

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>A laptop's Teams chat shows roughly this much of a card before the person scrolls.</summary>
    private const int FirstScreen = 700;

    [Fact]
    public async Task TheApprovalCardShowsItsKeyFactsAndDecisionButtonsOnTheFirstScreen()
    {
        var cards = TeamsRenderer.Render(ApprovalCard(), ["29:daniel"]);
        var rendered = await RenderAsync("approval-card", cards);
        Report("approval-card", cards, rendered, "Approve");

        Assert.Empty(rendered.Errors);
        var approve = Assert.Single(rendered.Buttons, b => b.Title == "Approve");
        Assert.InRange(approve.Top, 0, FirstScreen);
        Assert.Contains(rendered.Buttons, b => b.Title == "Reject" && b.Top == approve.Top);
        Assert.DoesNotContain(rendered.Buttons, b => b.Cut);
        // The 4,000-character description is collapsed behind "Show more", so the card stays short.
        Assert.Contains(rendered.Buttons, b => b.Title == "Show more");
        Assert.Contains(rendered.Texts, t => t.StartsWith("Change #4127: Rotate the production database credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheWorstRealisticTenAccountReviewPageRendersAsOneCardWithEveryButton()
    {
        var cards = TeamsRenderer.Render(ReviewPage(10));
        var rendered = await RenderAsync("access-review-page", cards);
        Report("access-review-page", cards, rendered, "Keep");

        Assert.Empty(rendered.Errors);
        Assert.Equal(1, rendered.Cards);
        foreach (var label in new[] { "Keep", "Revoke", "Defer", "Escalate" })
        {
            Assert.Equal(10, rendered.Buttons.Count(b => b.Title == label));
        }

        Assert.Contains(rendered.Buttons, b => b.Title == "Next");
        // A long title ("Keep all unchanged, unflagged accounts (212)") gets a row of its own instead of being cut short.
        Assert.DoesNotContain(rendered.Buttons, b => b.Cut);
        Assert.All(Enumerable.Range(1, 10), i => Assert.Contains(rendered.Texts, t => t.StartsWith($"00u{i:D17} — ", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The decision card for a change with every field at a realistic length and a 4,000-character description (the
    /// change API's limit), built by the flow's own <see cref="ChangeCards"/> for an approver.
    /// </summary>
    public static Reply ApprovalCard()
    {
        var requester = new Person { Email = "priya.natarajan@acme.example", Name = "Priya Natarajan" };
        var change = new ChangeRequest
        {
            Title = "Rotate the production database credentials and move the payments service to the new Postgres 16 cluster",
            Description = string.Join("\n\n", Enumerable.Range(1, 14).Select(i =>
                $"Step {i}: drain the payments workers in eu-west-1, switch the connection string to the new cluster, run the smoke suite " +
                "against the staging replica, watch the error budget for 15 minutes and only then continue with the next region. " +
                "The old credentials stay valid until the final step so that a rollback needs no new secret."))[..4_000],
            System = "payments-db (AWS RDS, eu-west-1)",
            Risk = ChangeRisk.High,
            Requester = requester,
            Links = "https://github.com/acme/payments/pull/4127\nhttps://acme.atlassian.net/browse/CHG-882",
            RollbackPlan = "Switch the connection string back to the old cluster (feature flag payments.db.v2 off); the old credentials stay valid for 48 hours.",
            TestEvidence = "Staging run 2026-12-04: 1,204 of 1,204 smoke tests green, p99 latency unchanged (41 ms); load test at 2× peak green.",
            PlannedWindow = "Sat 12 Dec 2026 06:00–08:00 UTC",
            SubmittedBy = "ci",
            CreatedAt = new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero),
            ExpiresAt = new DateTimeOffset(2026, 12, 10, 9, 30, 0, TimeSpan.Zero),
        };
        typeof(ChangeRequest).GetProperty(nameof(ChangeRequest.Id))!.SetValue(change, 4127);
        return ChangeCards.For(change, viewer: null) with { Actions = ChangeCards.DecisionButtons(change) };
    }

    /// <summary>
    /// A page of the access review as <see cref="AccessReviewFlow"/> shapes it, at its worst realistic: every row at the
    /// flow's cut (360 characters: long names, e-mail, several groups), every flag, a revoke reason as the decision.
    /// </summary>
    public static Reply ReviewPage(int accounts)
    {
        var data = new Dictionary<string, string> { ["review"] = "1042", ["item"] = "1048576", ["v"] = Guid.NewGuid().ToString("N"), ["page"] = "12" };
        return new Reply("38/412 decided · due 15 Jan 2027\nPage 12 of 42, flagged accounts first.\n3 accounts are with someone else (your own accounts go to your manager; escalated ones to whoever you escalated to).")
        {
            Title = "Okta (acme.okta.com, production tenant) access review — 2026-Q4",
            Items = [.. Enumerable.Range(1, accounts).Select(i => new ReplyItem(Cut(
                $"00u{i:D17} — María-José Núñez-Ødegård van der Berg-Åström (maria-jose.nunez-odegard{i}@subsidiary-emea.acme.example) · " +
                "Super Administrator, Billing Administrator, Read-only Auditor, Help Desk Administrator, Application Administrator, Group Membership Administrator, Report Administrator", 360))
            {
                Fields =
                [
                    new("Flags", AccessReviewReport.FlagText(AccountFlags.Terminated | AccountFlags.Dormant | AccountFlags.Privileged).Replace(" ", ", ", StringComparison.Ordinal)),
                    new("Change", "changed"),
                    new("Last login", new DateOnly(2025, 3, 14).ToString("d MMM yyyy", CultureInfo.InvariantCulture)),
                    new("Decision", Cut("revoke (moved to the platform team in October; the admin roles were for the 2025 Okta migration, which is finished, and nobody on the team needs them now) — Ana Silva-Fernández, 3 Jan", 240)),
                ],
                Actions =
                [
                    new("access.keep", "Keep", data, ActionStyle.Primary), new("access.revoke", "Revoke", data, ActionStyle.Danger),
                    new("access.defer", "Defer", data), new("access.escalate", "Escalate", data),
                ],
            })],
            Actions =
            [
                new("access.page", "Previous", data), new("access.page", "Next", data),
                new("access.keep_all", "Keep all unchanged, unflagged accounts (212)", data) { Confirm = "Keep 212 accounts that are unchanged since the previous review and have no flags? You can still change any of them until sign-off." },
            ],
        };
    }

    /// <summary>What the README quotes: the card's size, its rendered height and where the first decision button sits.</summary>
    private void Report(string name, IReadOnlyList<JsonObject> cards, Rendered rendered, string decision) =>
        output.WriteLine($"{name}: {cards.Count} card(s) of {string.Join(" + ", cards.Select(c => TeamsRenderer.ToJson(c).Length.ToString("N0", CultureInfo.InvariantCulture)))} characters, " +
            $"{rendered.Height} px tall, first {decision} button at {rendered.Buttons.First(b => b.Title == decision).Top} px");

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";

    public sealed record RenderedButton(string Title, int Top, bool Cut);

    public sealed record Rendered(int Height, int Cards, IReadOnlyList<RenderedButton> Buttons, IReadOnlyList<string> Texts, IReadOnlyList<string> Errors);

    /// <summary>Renders the parts of one message in Chromium; writes the screenshot when COMPLIANCEBOT_SCREENSHOTS names a folder.</summary>
    public static async Task<Rendered> RenderAsync(string name, IReadOnlyList<JsonObject> cards)
    {
        Assert.True(Directory.Exists(Path.Combine(SdkFolder, "node_modules", "adaptivecards")) && Directory.Exists(Path.Combine(SdkFolder, "node_modules", "markdown-it")),
            $"Rendering needs the node packages: run `npm ci` in {SdkFolder} once (.ci/run does).");
        var folder = Directory.CreateTempSubdirectory("compliancebot-cards-");
        try
        {
            var input = Path.Combine(folder.FullName, "cards.json");
            await File.WriteAllTextAsync(input, new JsonArray([.. cards.Select(c => (JsonNode)JsonNode.Parse(TeamsRenderer.ToJson(c))!)]).ToJsonString());
            var start = new ProcessStartInfo("node") { WorkingDirectory = SdkFolder, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(SdkFolder, "render.mjs"));
            start.ArgumentList.Add(input);
            if (Environment.GetEnvironmentVariable("COMPLIANCEBOT_SCREENSHOTS") is { Length: > 0 } screenshots)
            {
                Directory.CreateDirectory(screenshots);
                start.ArgumentList.Add(Path.Combine(Path.GetFullPath(screenshots), name + ".png"));
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout;
            Assert.True(process.ExitCode == 0, $"render.mjs exited {process.ExitCode}: {output}{await stderr}");
            return JsonSerializer.Deserialize<Rendered>(output, WebJson)!;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
