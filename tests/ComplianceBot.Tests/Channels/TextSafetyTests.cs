using System.Text.Json.Nodes;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Channels.Teams;
using ComplianceBot.Channels.Web;
using ComplianceBot.Conversations;
using ComplianceBot.Tests.Fakes;

namespace ComplianceBot.Tests.Channels;

/// <summary>The one text-safety layer: what user text can and cannot become in each client.</summary>
public sealed class TextSafetyTests
{
    private static readonly Reply Hostile = new(HostileText.Mixed)
    {
        Title = HostileText.Mixed,
        Details = HostileText.Mixed,
        Fields = [new("Reason", HostileText.Mixed)],
        Items = [new ReplyItem(HostileText.Mixed) { Fields = [new("Revoke reason", HostileText.Mixed)] }],
        Citations = [new("CC1.1", HostileText.Mixed, "knowledge/x.md")],
    };

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    [Fact]
    public void SlackNeverPingsOrLinksFromUserTextIncludingTheTopLevelText()
    {
        foreach (var message in SlackRenderer.Render(Hostile))
        {
            foreach (var text in Strings(message.Blocks).Append(message.Text))
            {
                Assert.DoesNotContain("<!", text, StringComparison.Ordinal);
                Assert.DoesNotContain("<http", text, StringComparison.Ordinal);
                Assert.DoesNotContain("\u202E", text, StringComparison.Ordinal);
                Assert.DoesNotContain("\u200B", text, StringComparison.Ordinal);
            }

            Assert.Contains("&lt;!channel&gt;", message.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TeamsShowsMarkdownInUserTextAsTyped()
    {
        var card = Assert.Single(TeamsRenderer.Render(Hostile));
        card.Remove("fallbackText"); // plain text for clients that cannot show the card: cleaned, never markdown
        var texts = Strings(card).ToList();

        Assert.DoesNotContain(texts, t => t.Contains("[link](", StringComparison.Ordinal) || t.Contains("**bold**", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains('\u202E', StringComparison.Ordinal) || t.Contains('\u2066', StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains(@"\[link\](https://evil.example)", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("\n\\- not a list", StringComparison.Ordinal) && t.Contains("\n\\# not a heading", StringComparison.Ordinal) && t.Contains(@"1\. not", StringComparison.Ordinal));
        // Emoji, ZWJ sequences and right-to-left scripts are text, kept as they are.
        Assert.Contains(texts, t => t.Contains("👩🏽‍💻 🇩🇪 עברית العربية", StringComparison.Ordinal));
    }

    [Fact]
    public void TheWebChatEscapesUserTextAndRendersOnlyOurMarkup()
    {
        var web = WebRenderer.Render(new Reply(RichText.Concat(RichText.Bold("Keep"), " ", HostileText.Mixed, "\n• one\n• two ", RichText.Link(new Uri("https://example.com/policy"), "policy"))));

        Assert.StartsWith("<strong>Keep</strong> ", web.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", web.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", web.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example\"", web.Html, StringComparison.Ordinal);
        Assert.Contains("**bold**", web.Html, StringComparison.Ordinal);
        Assert.Contains("<ul><li>one</li><li>two <a href=\"https://example.com/policy\" target=\"_blank\" rel=\"noopener noreferrer\">policy</a></li></ul>", web.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", web.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void BoldFromOurKnowledgeIsBoldInEveryClient()
    {
        var reply = new Reply(RichText.FromMarkdown("**CC6.1 — Logical access** applies.\n- MFA for admins"));

        Assert.Contains("*CC6.1 — Logical access* applies.\n• MFA for admins", Strings(SlackRenderer.Render(reply)[0].Blocks), StringComparer.Ordinal);
        Assert.Contains("**CC6.1 — Logical access** applies.\n• MFA for admins", Strings(TeamsRenderer.Render(reply)[0]), StringComparer.Ordinal);
        Assert.Equal("<strong>CC6.1 — Logical access</strong> applies.<ul><li>MFA for admins</li></ul>", WebRenderer.Render(reply).Html);
    }

    [Theory]
    [InlineData("R&amp;D &lt;db&gt;", "R&D <db>")]
    [InlineData("a &amp;lt; b", "a &lt; b")]
    [InlineData("see <https://example.com/x|the doc> and <https://example.com/y>", "see the doc (https://example.com/x) and https://example.com/y")]
    [InlineData("ask <@U123> in <#C1|compliance> <!here>", "ask @U123 in #compliance @here")]
    [InlineData("<mailto:ana@acme.example|ana@acme.example>", "ana@acme.example")]
    public void InboundSlackTextIsDecodedOnce(string wire, string typed) => Assert.Equal(typed, SlackText.Decode(wire));

    [Fact]
    public void BidiAndInvisibleControlsAreDroppedButEmojiAndLineBreaksKept()
    {
        Assert.Equal("on 7 Dec 2026 14:33 UTC", SafeText.Clean("on 7 Dec\u202E 2026\u202C 14:33\u200B UTC\u2069"));
        Assert.Equal("a\nb\nc d 👩🏽‍💻\uFFFD", SafeText.Clean("a\r\nb\rc\td 👩🏽‍💻\uD800\u0007"));
    }

    private static Reply ReviewPage(string name, string email, string role, string reason)
    {
        var data = new Dictionary<string, string> { ["review"] = "12", ["item"] = "123456", ["v"] = Guid.NewGuid().ToString("N"), ["page"] = "3" };
        return new Reply("Okta · 2026-Q4 — 20 of 120 decided, due 15 Jan 2027")
        {
            Title = "Okta access review — 2026-Q4 (page 3 of 12)",
            Items = [.. Enumerable.Range(1, 10).Select(i => new ReplyItem($"00u{i:D17} — {name} ({i}{email}) · {role}")
            {
                Fields = [new("Flags", "admin, dormant"), new("Change", "new"), new("Last login", "14 Mar 2025"), new("Decision", reason)],
                Actions = [new("access.keep", "Keep", data, ActionStyle.Primary), new("access.revoke", "Revoke", data, ActionStyle.Danger), new("access.defer", "Defer", data), new("access.escalate", "Escalate", data)],
            })],
            Actions = [new("access.page", "Previous", data), new("access.page", "Next", data), new("access.keep_all", "Keep all unchanged, unflagged accounts (10)", data) { Confirm = "Keep 10 accounts that are unchanged since the previous review and have no flags?" }],
        };
    }

    [Fact]
    public void ATenAccountReviewPageIsOneSlackMessageAndOneTeamsCardWithinBudget()
    {
        var page = ReviewPage("José Núñez", "jose.nunez@acme.example", "Administrator", "undecided");

        var cards = TeamsRenderer.Render(page);
        Assert.True(cards.Count == 1 && TeamsRenderer.ToJson(cards[0]).Length <= TeamsRenderer.MaxCardChars,
            string.Join(", ", cards.Select(c => $"{TeamsRenderer.ToJson(c).Length} characters")));
        var slack = SlackRenderer.Render(page);
        Assert.True(slack.Count == 1, string.Join(", ", slack.Select(m => $"{m.Blocks.Count} blocks, {SlackRenderer.TextLength(m.Blocks)} characters")));
    }

    [Fact]
    public void ATenAccountPageWithLongRowsIsOneCardWithinBudget()
    {
        var page = ReviewPage("María-José Núñez-Ødegård 👩🏽‍💻", "maria-jose.nunez-odegard@subsidiary.acme.example", "Super Administrator, Billing Admin, Read-only Auditor",
            "revoke (moved to another team in October) — Ana Silva, 3 Jan");

        var card = Assert.Single(TeamsRenderer.Render(page));
        Assert.True(TeamsRenderer.ToJson(card).Length <= TeamsRenderer.MaxCardChars);
        Assert.Single(SlackRenderer.Render(page));
    }

    [Fact]
    public void AHostileTenAccountPageThatNeedsTwoCardsKeepsEveryAccount()
    {
        var data = new Dictionary<string, string> { ["item"] = "1" };
        var page = new Reply("page")
        {
            Items = [.. Enumerable.Range(1, 10).Select(i => new ReplyItem($"ACCOUNT-{i} {HostileText.OfLength(2_000)}") { Actions = [new("k", "Keep", data)] })],
        };

        var cards = TeamsRenderer.Render(page);
        var all = string.Join("\n", cards.Select(TeamsRenderer.ToJson));

        Assert.True(cards.Count > 1);
        Assert.All(cards, c => Assert.True(TeamsRenderer.ToJson(c).Length <= TeamsRenderer.MaxCardChars));
        Assert.All(Enumerable.Range(1, 10), i => Assert.Contains($"ACCOUNT-{i} ", all, StringComparison.Ordinal));
    }
}
