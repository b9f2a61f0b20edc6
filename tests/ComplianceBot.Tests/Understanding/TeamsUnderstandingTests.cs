using System.Net;
using ComplianceBot.Tests.Channels.Teams;
using static ComplianceBot.Tests.Channels.Teams.TeamsCards;

namespace ComplianceBot.Tests.Understanding;

/// <summary>A natural message that used to fall to Ask (a lecture on CC8.1) reaches the approvals in Teams.</summary>
public sealed class TeamsUnderstandingTests : IClassFixture<TeamsApplication>
{
    private const string DanaMri = "29:dana-understanding";
    private const string DanaAad = "aad-dana-understanding";
    private readonly TeamsApplication _app;

    public TeamsUnderstandingTests(TeamsApplication app)
    {
        _app = app;
        _app.AddMember(DanaMri, DanaAad, "dana.reyes@acme.example", "Dana Reyes");
    }

    [Fact]
    public async Task ANaturalQuestionAboutApprovalsShowsMyApprovalQueueInTeams()
    {
        var before = _app.Connector.Activities.Count;
        var response = await _app.PostAsync(TeamsActivities.Message(_app.Connector.ServiceUrl, "do I have anything to approve?", DanaMri, DanaAad));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = Assert.Single(_app.Connector.Activities.Skip(before));
        var text = Text(Card(reply));
        Assert.Contains("approval", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("CC8.1", text);
    }
}
