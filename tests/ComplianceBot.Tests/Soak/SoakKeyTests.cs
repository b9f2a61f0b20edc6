using ComplianceBot.Channels.Teams;
using ComplianceBot.Conversations;

namespace ComplianceBot.Tests.Soak;

/// <summary>The soak decides from the stored reply whether its Teams card carried a delivery key; the renderer decides in fact.</summary>
public sealed class SoakKeyTests
{
    private static readonly Dictionary<string, string> Data = new() { ["change"] = "8" };

    public static TheoryData<string, Reply> Replies => new()
    {
        { "a notice", new Reply("Change #8 was approved.") { Title = "Change #8" } },
        { "buttons", new Reply("Decide") { Actions = [new ReplyAction("change.approve", "Approve", Data)] } },
        { "a refresh", new Reply("Pending") { Refresh = new UserSpecificView("change.view", Data, [6]) } },
        { "a form", new Reply("Why?") { Form = new ReplyForm("Reject", "change.reject", "Reject", [new ReplyInput("comment", "Comment")]) } },
        { "an item's button", new Reply("Tasks") { Items = [new ReplyItem("Task 1") { Actions = [new ReplyAction("attest.start", "Attest", Data)] }] } },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void TheSoakSeesAKeylessCardExactlyWhenTheRendererStampsNoKey(string what, Reply reply)
    {
        var cards = TeamsRenderer.Render(reply, ["29:approver"]);
        foreach (var card in cards)
        {
            TeamsDeliveryKeys.Stamp(card, "change:8:outcome");
        }

        var stamped = cards.Any(c => c.ToJsonString().Contains(TeamsDeliveryKeys.DataKey, StringComparison.Ordinal));
        Assert.True(SoakRun.CarriesNoKey(reply) != stamped, $"{what}: soak says keyless {SoakRun.CarriesNoKey(reply)}, renderer stamped {stamped}");
    }
}
