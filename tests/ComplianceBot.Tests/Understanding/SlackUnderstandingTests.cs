using System.Net;
using ComplianceBot.Tests.Channels.Slack;

namespace ComplianceBot.Tests.Understanding;

/// <summary>A natural message that used to fall to Ask (a lecture on CC8.1) reaches the approvals in Slack.</summary>
public sealed class SlackUnderstandingTests(SlackBot bot) : IClassFixture<SlackBot>
{
    [Fact]
    public async Task ANaturalQuestionAboutApprovalsShowsMyApprovalQueueInSlack()
    {
        var response = await bot.PostEventAsync("EvUnderstand", SlackBot.DirectMessage(SlackBot.DanaUserId, "DUNDERSTAND", "do I have anything to approve?"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var post = await bot.Slack.WaitForAsync(c => c.Method == "chat.postMessage" && c.Arg("channel") == "DUNDERSTAND");
        Assert.Contains("approval", post.Arg("text"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("CC8.1", post.Args.ToJsonString());
    }
}
