using ComplianceBot.ChangeApprovals;
using ComplianceBot.Channels.Slack;
using ComplianceBot.Tests.Channels.Slack;
using ComplianceBot.Tests.Fakes;
using static ComplianceBot.Tests.ChangeApprovals.ChangeClient;

namespace ComplianceBot.Tests.ChangeApprovals;

/// <summary>
/// A change from CI at the longest the change API accepts, written by an attacker: nobody gets pinged or shown a
/// disguised link, no text runs backwards, every message stays under Slack's limits, and the card is updated as one.
/// </summary>
public sealed class ChangeCardFidelityTests
{
    private const string GraceId = "UGRACE";
    private const string DanielId = "UDANIEL";

    public static Dictionary<string, object?> HostileChange(string requester)
    {
        var change = Change(requester);
        change["title"] = HostileText.OfLength(200);
        change["description"] = HostileText.OfLength(4_000);
        change["links"] = new[] { "https://github.com/acme/app/pull/42?x=" + new string('a', 3_900) };
        change["rollbackPlan"] = HostileText.OfLength(4_000);
        change["testEvidence"] = HostileText.OfLength(4_000);
        change["plannedWindow"] = HostileText.OfLength(200);
        return change;
    }

    [Fact]
    public async Task AHostileChangeAtMaximumLengthsReachesTheSlackApproverSafelyAndUpdatesAsOneMessage()
    {
        await using var bot = new SlackBot();
        bot.Slack.Users[GraceId] = (Grace, "Grace Liu");
        bot.Slack.Users[DanielId] = (Daniel, "Daniel Levi");
        var slack = new SlackPerson(bot);
        using var admin = bot.App.CreateAdminClient();
        var dm = "D" + DanielId;

        var id = await SubmitAsync(admin, HostileChange(Grace));
        await slack.NextAsync(0, "chat.postMessage", c => c.Arg("channel") == dm && (c.Arg("text") ?? "").Contains($"Change #{id}", StringComparison.Ordinal));
        var posts = bot.Slack.CallsTo("chat.postMessage").Where(c => c.Arg("channel") == dm).ToList();

        foreach (var post in posts)
        {
            var text = post.Arg("text")!;
            var blocks = post.Args["blocks"]!.ToJsonString();
            Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<https://evil", text, StringComparison.Ordinal);
            Assert.Contains("&lt;!channel&gt;", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<!channel>", blocks, StringComparison.Ordinal);
            Assert.DoesNotContain("<https://evil", blocks, StringComparison.Ordinal);
            Assert.DoesNotContain("\u202E", text + post.Args["blocks"]!.ToString(), StringComparison.Ordinal);
            Assert.True(FakeSlack.BlockText(post.Args["blocks"]) <= SlackRenderer.MaxMessageText, $"{FakeSlack.BlockText(post.Args["blocks"])} characters of block text");
        }

        // The decision buttons come before the description, in the first message.
        var first = new SlackPerson.Message(posts[0], dm, (string)bot.Slack.Messages[dm].First()["ts"]!);
        Assert.True(first.Has(ChangeApprovalFlow.ApproveAction));
        var allTs = bot.Slack.Messages[dm].Select(m => (string)m["ts"]!).ToList();
        Assert.Equal(posts.Count, allTs.Count);

        // Approving from the first part replaces every part: one chat.update per message, nothing new in the DM.
        var before = bot.Slack.Calls.Count;
        await slack.ClickAsync(DanielId, first, first.Find(ChangeApprovalFlow.ApproveAction));
        await bot.Slack.WaitForAsync(c => c.Method == "chat.update" && c.Arg("ts") == allTs[^1]);
        var after = bot.Slack.Calls.Skip(before).ToList();
        Assert.Equal(allTs.Order(), after.Where(c => c.Method == "chat.update" && c.Arg("channel") == dm).Select(c => c.Arg("ts")!).Distinct().Order());
        Assert.DoesNotContain(after, c => c.Method == "chat.postMessage" && c.Arg("channel") == dm);
        Assert.Equal("approved", (await StatusAsync(admin, id)).GetProperty("status").GetString());
    }
}
